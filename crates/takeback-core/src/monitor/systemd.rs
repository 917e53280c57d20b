//! Background monitoring on Linux: a systemd user timer that runs `takeback monitor run --once`
//! every 15 minutes (the shortest interval a source may have; each run does only what is due),
//! at low priority (nice 10, idle I/O). Only for profiles whose key is in the keyring: a
//! passphrase (clinic) profile cannot be opened unattended, so it is monitored only while it is
//! unlocked in the window.

use std::path::{Path, PathBuf};

use crate::base::files;
use crate::monitor::error::MonitorError;
use crate::storage::vault::{ProfileInfo, ProfileKind};
use crate::Result;

/// What the units run.
#[derive(Debug, Clone)]
pub struct TimerSpec<'a> {
    pub profile: &'a ProfileInfo,
    /// The `takeback` binary.
    pub binary: &'a Path,
    pub data_dir: &'a Path,
}

/// The two unit files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Units {
    /// `takeback-monitor-<profile id>`, without suffix.
    pub name: String,
    pub service: String,
    pub timer: String,
}

/// The paths written by [`install`].
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Installed {
    pub timer_unit: String,
    pub service_path: PathBuf,
    pub timer_path: PathBuf,
}

/// Where a user's systemd units live: `$XDG_CONFIG_HOME/systemd/user`, else
/// `~/.config/systemd/user`.
pub fn user_unit_dir() -> Result<PathBuf> {
    directories::BaseDirs::new()
        .map(|d| d.config_dir().join("systemd/user"))
        .ok_or_else(|| {
            MonitorError::Install {
                reason: "the home folder could not be found".into(),
            }
            .into()
        })
}

/// One `ExecStart` argument, quoted for systemd: inside double quotes, with `\` and `"` escaped,
/// and `%` and `$` doubled so no specifier or variable is expanded.
fn quote(arg: &str) -> String {
    let mut out = String::from('"');
    for c in arg.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '%' => out.push_str("%%"),
            '$' => out.push_str("$$"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The units for `spec`. Refused for a passphrase profile.
pub fn units(spec: &TimerSpec<'_>) -> Result<Units> {
    if spec.profile.kind != ProfileKind::Personal {
        return Err(MonitorError::NeedsKeyring {
            name: spec.profile.name.clone(),
        }
        .into());
    }
    let text = |p: &Path| -> Result<String> {
        p.to_str().map(str::to_owned).ok_or_else(|| {
            MonitorError::Install {
                reason: format!("the path {} is not valid UTF-8", p.display()),
            }
            .into()
        })
    };
    let name = unit_name(spec.profile);
    let exec = [
        text(spec.binary)?,
        "--data-dir".into(),
        text(spec.data_dir)?,
        "--profile".into(),
        spec.profile.name.clone(),
        "monitor".into(),
        "run".into(),
        "--once".into(),
    ]
    .iter()
    .map(|a| quote(a))
    .collect::<Vec<_>>()
    .join(" ");
    let service = format!(
        "[Unit]\n\
         Description=Takeback monitoring of one profile\n\
         After=network-online.target\n\
         \n\
         [Service]\n\
         Type=oneshot\n\
         ExecStart={exec}\n\
         Nice=10\n\
         IOSchedulingClass=idle\n\
         CPUSchedulingPolicy=batch\n\
         NoNewPrivileges=yes\n\
         PrivateTmp=yes\n\
         TimeoutStartSec=6h\n"
    );
    let timer = format!(
        "[Unit]\n\
         Description=Run Takeback monitoring regularly\n\
         \n\
         [Timer]\n\
         OnBootSec=5min\n\
         OnUnitActiveSec=15min\n\
         RandomizedDelaySec=2min\n\
         Persistent=true\n\
         Unit={name}.service\n\
         \n\
         [Install]\n\
         WantedBy=timers.target\n"
    );
    Ok(Units {
        name,
        service,
        timer,
    })
}

/// Writes the units into `unit_dir` (the user's `systemd/user` folder), replacing earlier ones.
/// Enabling the timer (`systemctl --user enable --now NAME.timer`) is left to the caller.
pub fn install(unit_dir: &Path, spec: &TimerSpec<'_>) -> Result<Installed> {
    let units = units(spec)?;
    std::fs::create_dir_all(unit_dir).map_err(|e| MonitorError::Install {
        reason: format!("{} could not be created ({e})", unit_dir.display()),
    })?;
    let service_path = unit_dir.join(format!("{}.service", units.name));
    let timer_path = unit_dir.join(format!("{}.timer", units.name));
    files::write_atomically(&service_path, units.service.as_bytes(), true)?;
    files::write_atomically(&timer_path, units.timer.as_bytes(), true)?;
    Ok(Installed {
        timer_unit: format!("{}.timer", units.name),
        service_path,
        timer_path,
    })
}

fn unit_name(profile: &ProfileInfo) -> String {
    format!(
        "takeback-monitor-{}",
        profile
            .id
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect::<String>()
    )
}

/// Whether `profile`'s timer is in `unit_dir`.
pub fn is_installed(unit_dir: &Path, profile: &ProfileInfo) -> bool {
    unit_dir
        .join(format!("{}.timer", unit_name(profile)))
        .is_file()
}

/// Removes the units of `profile` from `unit_dir`; returns the paths removed.
pub fn uninstall(unit_dir: &Path, profile: &ProfileInfo) -> Result<Vec<PathBuf>> {
    let name = unit_name(profile);
    let mut removed = Vec::new();
    for suffix in ["timer", "service"] {
        let path = unit_dir.join(format!("{name}.{suffix}"));
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(MonitorError::Install {
                    reason: format!("{} could not be removed ({e})", path.display()),
                }
                .into())
            }
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile(kind: ProfileKind) -> ProfileInfo {
        ProfileInfo {
            id: "ab12-cd34".into(),
            name: "Alex \"A\" 100% $HOME".into(),
            kind,
            created_at: chrono::Utc::now(),
        }
    }

    #[test]
    fn units_quote_every_argument_and_refuse_passphrase_profiles() {
        let p = profile(ProfileKind::Personal);
        let spec = TimerSpec {
            profile: &p,
            binary: Path::new("/opt/Take back/takeback"),
            data_dir: Path::new("/home/a/.local/share/Takeback"),
        };
        let units = units(&spec).unwrap();
        assert_eq!(units.name, "takeback-monitor-ab12cd34");
        assert!(units.service.contains(
            "ExecStart=\"/opt/Take back/takeback\" \"--data-dir\" \"/home/a/.local/share/Takeback\" \"--profile\" \"Alex \\\"A\\\" 100%% $$HOME\" \"monitor\" \"run\" \"--once\"\n"
        ), "{}", units.service);
        assert!(units.service.contains("Nice=10\n"));
        assert!(units.service.contains("IOSchedulingClass=idle\n"));
        assert!(units
            .timer
            .contains("Unit=takeback-monitor-ab12cd34.service\n"));
        let clinic = profile(ProfileKind::Clinic);
        let spec = TimerSpec {
            profile: &clinic,
            ..spec
        };
        assert!(units_refused(&spec));
    }

    fn units_refused(spec: &TimerSpec<'_>) -> bool {
        matches!(
            units(spec).unwrap_err().downcast_ref::<MonitorError>(),
            Some(MonitorError::NeedsKeyring { .. })
        )
    }
}
