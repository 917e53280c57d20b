//! What a process that holds profile keys and photos does first: it never leaves a core dump
//! (which would hold both, in the clear, where the next person at the desk could read it) and
//! other processes of the same user cannot attach to it (`PR_SET_DUMPABLE` 0 also blocks
//! `ptrace` and `/proc/PID/mem`).

/// Turns core dumps off for this process. Best effort: a failure is logged, never fatal, since
/// the person still needs the app. Returns whether both settings took.
pub fn forbid_core_dumps() -> bool {
    #[cfg(target_os = "linux")]
    {
        use rustix::process::{self, DumpableBehavior, Resource, Rlimit};
        let limit = process::setrlimit(
            Resource::Core,
            Rlimit {
                current: Some(0),
                maximum: Some(0),
            },
        );
        let dumpable = process::set_dumpable_behavior(DumpableBehavior::NotDumpable);
        if let Err(e) = &limit {
            tracing::warn!("could not turn core dumps off: {e}");
        }
        if let Err(e) = &dumpable {
            tracing::warn!("could not make the process non-dumpable: {e}");
        }
        limit.is_ok() && dumpable.is_ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        false
    }
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn no_core_dump_and_not_dumpable_afterwards() {
        assert!(forbid_core_dumps());
        let limit = rustix::process::getrlimit(rustix::process::Resource::Core);
        assert_eq!((limit.current, limit.maximum), (Some(0), Some(0)));
        assert_eq!(
            rustix::process::dumpable_behavior().unwrap(),
            rustix::process::DumpableBehavior::NotDumpable
        );
    }
}
