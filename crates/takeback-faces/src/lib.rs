//! Takeback's local face engine (being built; see issue "Local face engine in pure Rust").
