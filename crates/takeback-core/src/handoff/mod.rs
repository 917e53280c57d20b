//! Handing a case over: the encrypted bundle a clinic gives its client (age format), and its
//! import on another machine. Above `removal` because a bundle carries findings, evidence,
//! cases and letters; below `session`, which offers it to the window.

pub mod bundle;
