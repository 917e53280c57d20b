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
    let r = open_encrypted(&db, &other.database_key());
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

    p.delete("me", Some(&ks)).unwrap();
    assert!(ks.get(&personal_id).unwrap().is_none(), "key destroyed");
    p.delete("c", None).unwrap();
    assert!(p.list().unwrap().is_empty());
    assert!(files(tmp.path()).is_empty(), "{:?}", files(tmp.path()));
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
