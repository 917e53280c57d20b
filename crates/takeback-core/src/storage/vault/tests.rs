//! Vault tests on real SQLCipher files in temporary data directories.

use chrono::{TimeZone, Utc};

use super::*;
use crate::storage::secrets::KeyringStore;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 26, 12, 0, 0).unwrap()
}

fn pass(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

fn setup() -> (tempfile::TempDir, Profiles) {
    let tmp = tempfile::tempdir().unwrap();
    let p = Profiles::new(&DataDir::at(tmp.path()));
    (tmp, p)
}

fn clinic(p: &Profiles, name: &str) -> Vault {
    p.create_clinic(
        name,
        &pass("correct horse battery"),
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    )
    .unwrap()
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push(p);
        }
    }
    out
}

#[test]
fn create_list_unlock_and_lock_a_clinic_profile() {
    let (_tmp, p) = setup();
    let v = clinic(&p, "Client 7");
    v.conn()
        .execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('hello');")
        .unwrap();
    v.lock();
    let list = p.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "Client 7");
    assert_eq!(list[0].kind, ProfileKind::Clinic);

    let v = p
        .unlock(
            "client 7",
            Unlock::Passphrase(&pass("correct horse battery")),
            now(),
        )
        .unwrap();
    let t: String = v
        .conn()
        .query_row("SELECT t FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(t, "hello");
    v.check().unwrap();
}

#[test]
fn wrong_passphrase_and_wrong_unlock_kind_fail_clearly() {
    let (_tmp, p) = setup();
    clinic(&p, "c").lock();
    let r = p.unlock("c", Unlock::Passphrase(&pass("wrong passphrase")), now());
    assert!(matches!(r, Err(Error::WrongPassphrase)));
    let ks = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
    let r = p.unlock("c", Unlock::Keyring(&ks), now());
    assert!(matches!(r, Err(Error::PassphraseRequired)));
    assert!(matches!(
        p.unlock("nobody", Unlock::Keyring(&ks), now()),
        Err(Error::ProfileNotFound { .. })
    ));
}

#[test]
fn the_database_does_not_open_with_another_key() {
    let (_tmp, p) = setup();
    let v = clinic(&p, "c");
    let db = v.dir().join(DB_FILE);
    v.lock();
    let other = ProfileKey::generate().unwrap();
    let r = open_encrypted(&db, &other.database_key().unwrap());
    assert!(matches!(r, Err(Error::CorruptVault { .. })), "{r:?}");
    // And a plain SQLite open (no key) cannot read it either.
    let plain = Connection::open(&db).unwrap();
    assert!(plain
        .query_row("SELECT count(*) FROM sqlite_master", [], |r| r
            .get::<_, i64>(0))
        .is_err());
}

#[test]
fn no_file_in_the_data_dir_is_plaintext_sqlite_and_blobs_are_ciphertext() {
    let (tmp, p) = setup();
    let v = clinic(&p, "c");
    let secret_image = b"\xff\xd8\xff\xe0 pretend JPEG with a face in it ".repeat(50);
    let tx = v.conn().unchecked_transaction().unwrap();
    let id = v.blobs().put(&tx, &secret_image, now()).unwrap();
    tx.commit().unwrap();
    assert_eq!(
        &v.blobs().get(v.conn(), &id).unwrap()[..],
        &secret_image[..]
    );
    for f in files(tmp.path()) {
        let bytes = fs::read(&f).unwrap();
        assert!(!bytes.starts_with(b"SQLite format 3\0"), "{f:?}");
        assert!(
            !bytes.windows(32).any(|w| w == &secret_image[..32]),
            "image bytes in clear in {f:?}"
        );
    }
}

#[test]
fn personal_profile_keeps_its_key_in_the_keyring() {
    let (_tmp, p) = setup();
    let ks = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
    let v = p.create_personal("me", &ks, now()).unwrap();
    let id = v.info().id.clone();
    v.lock();
    // Only the short key goes to the keyring: a Windows credential holds at most 2,560 bytes.
    let stored = ks.get(&id).unwrap().expect("the key is in the keyring");
    assert_eq!(stored.expose().len(), 32);
    assert!(stored.expose().len() <= crate::storage::secrets::MAX_SECRET_BYTES);
    p.unlock("me", Unlock::Keyring(&ks), now()).unwrap().lock();
    // Without the key, the vault stays closed with a clear error.
    ks.delete(&id).unwrap();
    assert!(matches!(
        p.unlock("me", Unlock::Keyring(&ks), now()),
        Err(Error::KeyMissing)
    ));
}

#[test]
fn names_are_unique_case_insensitively() {
    let (_tmp, p) = setup();
    clinic(&p, "Ana").lock();
    let r = p.create_clinic(
        "ana",
        &pass("another passphrase"),
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    );
    assert!(matches!(r, Err(Error::ProfileExists { .. })));
}

#[test]
fn change_passphrase_rewraps_the_same_key() {
    let (_tmp, p) = setup();
    clinic(&p, "c").lock();
    p.change_passphrase(
        "c",
        &pass("correct horse battery"),
        &pass("new and longer"),
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    )
    .unwrap();
    assert!(matches!(
        p.unlock(
            "c",
            Unlock::Passphrase(&pass("correct horse battery")),
            now()
        ),
        Err(Error::WrongPassphrase)
    ));
    let v = p
        .unlock("c", Unlock::Passphrase(&pass("new and longer")), now())
        .unwrap();
    let actions: Vec<_> = crate::storage::audit::list(v.conn())
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, ["profile.created", "profile.passphrase_changed"]);
    // The old passphrase was checked before anything changed.
    let r = p.change_passphrase(
        "c",
        &pass("not the passphrase"),
        &pass("whatever else"),
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    );
    assert!(matches!(r, Err(Error::WrongPassphrase)));
}

#[test]
fn delete_destroys_the_key_and_the_files() {
    let (tmp, p) = setup();
    let ks = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
    let personal = p.create_personal("me", &ks, now()).unwrap();
    let personal_id = personal.info().id.clone();
    personal.lock();
    clinic(&p, "c").lock();

    p.delete("me", Unlock::Keyring(&ks)).unwrap();
    assert!(ks.get(&personal_id).unwrap().is_none(), "key destroyed");
    p.delete("c", Unlock::Passphrase(&pass("correct horse battery")))
        .unwrap();
    assert!(p.list().unwrap().is_empty());
    // The creation lock file holds nothing about any profile.
    let left: Vec<_> = files(tmp.path())
        .into_iter()
        .filter(|f| !f.ends_with(".create.lock"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Safety issue item 7: the next person at the desk could wipe any profile by its name.
#[test]
fn only_someone_who_can_open_a_profile_can_wipe_it() {
    let (_tmp, p) = setup();
    clinic(&p, "client").lock();
    let err = p
        .delete("client", Unlock::Passphrase(&pass("a wrong guess here")))
        .unwrap_err();
    assert!(matches!(err, Error::WrongPassphrase), "{err}");
    let empty_keyring = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
    assert!(matches!(
        p.delete("client", Unlock::Keyring(&empty_keyring)),
        Err(Error::PassphraseRequired)
    ));
    assert_eq!(p.list().unwrap().len(), 1, "still there");

    let ks = KeyringStore::new(keyring_core::mock::Store::new().unwrap());
    let me = p.create_personal("me", &ks, now()).unwrap();
    me.lock();
    // A keyring without this profile's key (another user's, a reset one) cannot wipe it.
    assert!(matches!(
        p.delete("me", Unlock::Keyring(&empty_keyring)),
        Err(Error::KeyMissing)
    ));
    assert_eq!(p.list().unwrap().len(), 2);
}

/// Robustness trial, safety issue item 16: one damaged profile.json blocked every profile.
#[test]
fn a_damaged_profile_affects_only_itself_and_can_still_be_deleted() {
    let (_tmp, p) = setup();
    let broken = clinic(&p, "broken");
    let broken_dir = broken.dir().to_path_buf();
    let broken_id = broken.info().id.clone();
    broken.lock();
    clinic(&p, "fine").lock();
    fs::write(broken_dir.join(profile::PROFILE_FILE), b"{ not json").unwrap();

    let list = p.list().unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].name, "fine");
    p.unlock(
        "fine",
        Unlock::Passphrase(&pass("correct horse battery")),
        now(),
    )
    .unwrap()
    .lock();
    let damaged = p.damaged().unwrap();
    assert_eq!(damaged.len(), 1);
    assert_eq!(damaged[0].id, broken_id);
    assert!(
        damaged[0].problem.contains("profile.json"),
        "{:?}",
        damaged[0]
    );

    p.delete_damaged(&broken_id, None).unwrap();
    assert!(!broken_dir.exists());
    assert!(p.damaged().unwrap().is_empty());
    assert_eq!(p.list().unwrap().len(), 1);
    assert!(
        matches!(
            p.delete_damaged(&p.list().unwrap()[0].id, None),
            Err(Error::ProfileNotFound { .. })
        ),
        "a healthy profile is never deleted this way"
    );
}

/// Robustness trial, safety issue item 17: two creations with one name at once both succeeded.
#[test]
fn two_creations_with_one_name_at_once_make_one_profile() {
    let (tmp, _p) = setup();
    let root = tmp.path().to_path_buf();
    let results: Vec<_> = (0..6)
        .map(|_| {
            let root = root.clone();
            std::thread::spawn(move || {
                Profiles::new(&DataDir::at(&root))
                    .create_clinic(
                        "Same Name",
                        &pass("correct horse battery"),
                        KdfParams::INSECURE_FOR_TESTS,
                        now(),
                    )
                    .map(Vault::lock)
            })
        })
        .collect::<Vec<_>>() // every thread started before any is joined
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let made = results.iter().filter(|r| r.is_ok()).count();
    assert_eq!(made, 1, "{results:?}");
    assert!(results
        .iter()
        .filter_map(|r| r.as_ref().err())
        .all(|e| matches!(e, Error::ProfileExists { .. })));
    assert_eq!(Profiles::new(&DataDir::at(&root)).list().unwrap().len(), 1);
}

#[test]
fn a_database_moved_to_another_profile_is_refused() {
    let (_tmp, p) = setup();
    let a = clinic(&p, "a");
    let b = clinic(&p, "b");
    let (a_db, b_db) = (a.dir().join(DB_FILE), b.dir().join(DB_FILE));
    a.lock();
    b.lock();
    fs::copy(&a_db, &b_db).unwrap();
    // Different keys, so it does not even decrypt.
    assert!(p
        .unlock(
            "b",
            Unlock::Passphrase(&pass("correct horse battery")),
            now()
        )
        .is_err());
}

#[test]
fn an_interrupted_create_is_not_listed() {
    let (tmp, p) = setup();
    fs::create_dir_all(tmp.path().join("profiles/0123abcd")).unwrap();
    assert!(p.list().unwrap().is_empty());
}

#[test]
fn a_second_handle_reads_while_the_first_writes_and_both_can_write() {
    let (_tmp, p) = setup();
    let first = clinic(&p, "Client 9");
    first
        .conn()
        .execute_batch("CREATE TABLE notes (t TEXT); INSERT INTO notes VALUES ('a');")
        .unwrap();
    let second = first.open_another().unwrap();
    // A handle moves to another thread (the app's background scan).
    let second = std::thread::spawn(move || second).join().unwrap();
    let tx = first.conn().unchecked_transaction().unwrap();
    tx.execute("INSERT INTO notes VALUES ('b')", []).unwrap();
    // WAL: the reader is not blocked by the open write transaction, and sees the last commit.
    let n: i64 = second
        .conn()
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    tx.commit().unwrap();
    second
        .conn()
        .execute("INSERT INTO notes VALUES ('c')", [])
        .unwrap();
    let n: i64 = first
        .conn()
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 3);
    // The second handle decrypts the same blobs.
    let id = first.blobs().put(first.conn(), b"shared", now()).unwrap();
    assert_eq!(
        second.blobs().get(second.conn(), &id).unwrap().as_slice(),
        b"shared"
    );
    drop(first);
    second.check().unwrap();
}

/// Copies every file of `from` into `to` (a profile folder, for the rollback test).
fn copy_folder(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for e in fs::read_dir(from).unwrap().flatten() {
        let target = to.join(e.file_name());
        if e.path().is_dir() {
            copy_folder(&e.path(), &target);
        } else {
            fs::copy(e.path(), target).unwrap();
        }
    }
}

#[test]
fn a_vault_put_back_from_an_older_copy_is_caught_by_the_audit_head_in_the_keyring() {
    use crate::storage::audit::anchor::AnchorCheck;
    let (tmp, p) = setup();
    let keys: Arc<dyn KeyStore> =
        Arc::new(KeyringStore::new(keyring_core::mock::Store::new().unwrap()));
    let mut v = clinic(&p, "c");
    assert_eq!(
        v.anchor_audit_in(keys.clone()).unwrap(),
        AnchorCheck::Unanchored
    );
    let dir = v.dir().to_path_buf();
    v.lock();
    let backup = tmp.path().join("backup");
    copy_folder(&dir, &backup);

    let unlock = || {
        let mut v = p
            .unlock(
                "c",
                Unlock::Passphrase(&pass("correct horse battery")),
                now(),
            )
            .unwrap();
        let check = v.anchor_audit_in(keys.clone()).unwrap();
        (v, check)
    };
    let (v, check) = unlock();
    assert!(
        matches!(check, AnchorCheck::Holds { anchored: 1 }),
        "{check:?}"
    );
    for action in ["finding.confirmed", "letter.drafted"] {
        audit::append(v.conn(), audit::NewEntry::new("owner", action), now()).unwrap();
    }
    v.lock();

    // Someone puts the older copy back: its chain is intact, and it is one entry short.
    fs::remove_dir_all(&dir).unwrap();
    copy_folder(&backup, &dir);
    let (v, check) = unlock();
    assert!(
        audit::verify(v.conn()).unwrap().ok,
        "the chain alone sees nothing"
    );
    assert_eq!(
        check,
        AnchorCheck::Behind {
            anchored: 3,
            entries: 1
        }
    );
    assert!(!check.holds());
    drop(v);
    // Closing the rolled-back vault does not move the anchor back: it keeps failing.
    let (_v, check) = unlock();
    assert!(!check.holds(), "{check:?}");
}
