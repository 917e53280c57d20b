//! Re-keying on real SQLCipher files: the old key opens nothing afterwards, the data is all
//! there under the new one, and a crash at any step leaves a profile that opens.

use chrono::{TimeZone, Utc};

use super::super::*;
use super::{key_opens, Step, RETIRED_SUFFIX, STAGING_SUFFIX};
use crate::storage::secrets::KeyringStore;

const PASS: &str = "correct horse battery";
const NEW_PASS: &str = "a brand new passphrase";

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 7, 12, 0, 0).unwrap()
}

fn pass(s: &str) -> Secret<String> {
    Secret::new(s.to_owned())
}

fn setup() -> (tempfile::TempDir, Profiles) {
    let tmp = tempfile::tempdir().unwrap();
    let p = Profiles::new(&DataDir::at(tmp.path()));
    (tmp, p)
}

fn bytes(key: &ProfileKey) -> Vec<u8> {
    key.to_secret_vec().expose().clone()
}

fn mock_keyring() -> KeyringStore {
    KeyringStore::new(keyring_core::mock::Store::new().unwrap())
}

/// What a profile holds before the re-key, to compare with after it.
struct Before {
    key: ProfileKey,
    blobs: Vec<(BlobId, Vec<u8>)>,
    audit_entries: usize,
    user_version: i64,
}

/// Fills `v` with a table of rows, three blobs and two audit entries.
fn fill(v: Vault, key: ProfileKey) -> Before {
    let tx = v.conn().unchecked_transaction().unwrap();
    tx.execute_batch(
        "CREATE TABLE notes (t TEXT);
         INSERT INTO notes VALUES ('finding one'), ('finding two');",
    )
    .unwrap();
    let mut blobs = Vec::new();
    for i in 0..3u8 {
        let bytes = vec![i; 5000 + usize::from(i)];
        let id = v.blobs().put(&tx, &bytes, now()).unwrap();
        blobs.push((id, bytes));
    }
    tx.commit().unwrap();
    audit::append(v.conn(), audit::NewEntry::new("owner", "test.one"), now()).unwrap();
    let audit_entries = audit::list(v.conn()).unwrap().len();
    let user_version = v
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    v.lock();
    Before {
        key,
        blobs,
        audit_entries,
        user_version,
    }
}

fn clinic_profile(p: &Profiles) -> Before {
    let v = p
        .create_clinic("c", &pass(PASS), KdfParams::INSECURE_FOR_TESTS, now())
        .unwrap();
    let key = wrapped_key_of(p, "c", PASS);
    fill(v, key)
}

fn personal_profile(p: &Profiles, ks: &KeyringStore) -> Before {
    let v = p.create_personal("me", ks, now()).unwrap();
    let key = ProfileKey::from_bytes(ks.get(&v.info().id).unwrap().unwrap().expose()).unwrap();
    fill(v, key)
}

/// The key sealed in the profile's `profile.json`, opened with `passphrase`.
fn wrapped_key_of(p: &Profiles, name: &str, passphrase: &str) -> ProfileKey {
    let (_, file) = p.load(name).unwrap();
    let KeySlot::Passphrase(w) = &file.key else {
        panic!("not a clinic profile")
    };
    w.open(&pass(passphrase), &file.id).unwrap()
}

/// Everything in `before` is readable in `v`; returns how many audit entries were added.
fn assert_all_data_kept(v: &Vault, before: &Before) -> usize {
    v.check().unwrap();
    let notes: i64 = v
        .conn()
        .query_row("SELECT count(*) FROM notes", [], |r| r.get(0))
        .unwrap();
    assert_eq!(notes, 2);
    for (id, bytes) in &before.blobs {
        assert_eq!(&v.blobs().get(v.conn(), id).unwrap()[..], &bytes[..]);
    }
    let version: i64 = v
        .conn()
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(version, before.user_version);
    let entries = audit::list(v.conn()).unwrap();
    entries.len() - before.audit_entries
}

/// The old key opens neither the database nor any blob of the profile in `dir`.
fn assert_old_key_opens_nothing(dir: &Path, old: &ProfileKey, blobs: &[(BlobId, Vec<u8>)]) {
    assert!(
        !key_opens(&dir.join(DB_FILE), old),
        "the old key opens the database"
    );
    let old_blob_key = old.blob_key().unwrap();
    let blob_dir = dir.join(BLOB_DIR);
    for (id, _) in blobs {
        let data = fs::read(blob_dir.join(id.as_str())).unwrap();
        let (nonce, sealed) = data.split_at(keys::NONCE_LEN);
        assert!(
            keys::aead_open(old_blob_key.expose(), nonce, sealed, id.as_str().as_bytes()).is_err(),
            "blob {id} decrypts with the old key"
        );
    }
}

fn leftovers(tmp: &tempfile::TempDir) -> Vec<String> {
    fs::read_dir(tmp.path().join("profiles"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(STAGING_SUFFIX) || n.ends_with(RETIRED_SUFFIX))
        .collect()
}

#[test]
fn a_rekeyed_clinic_profile_opens_only_with_its_new_key_and_keeps_all_data() {
    let (tmp, p) = setup();
    let before = clinic_profile(&p);
    let old_profile_json = fs::read(p.load("c").unwrap().0.join(profile::PROFILE_FILE)).unwrap();

    let v = p
        .rekey(
            "c",
            Unlock::Passphrase(&pass(PASS)),
            None,
            KdfParams::INSECURE_FOR_TESTS,
            now(),
        )
        .unwrap();
    assert_eq!(assert_all_data_kept(&v, &before), 1);
    let last = audit::list(v.conn()).unwrap().pop().unwrap();
    assert_eq!(last.action, "profile.rekeyed");
    assert_eq!(last.detail["blobs"], 3);
    // The audit log still refuses to be edited: its triggers came along.
    assert!(v
        .conn()
        .execute("UPDATE audit_log SET actor = 'x' WHERE seq = 1", [])
        .is_err());
    let dir = v.dir().to_owned();
    v.lock();

    // The same passphrase opens it, through a new key with a fresh salt.
    let new_key = wrapped_key_of(&p, "c", PASS);
    assert_ne!(bytes(&new_key), bytes(&before.key));
    assert_ne!(
        fs::read(dir.join(profile::PROFILE_FILE)).unwrap(),
        old_profile_json
    );
    assert!(key_opens(&dir.join(DB_FILE), &new_key));
    assert_old_key_opens_nothing(&dir, &before.key, &before.blobs);
    let v = p
        .unlock("c", Unlock::Passphrase(&pass(PASS)), now())
        .unwrap();
    assert_eq!(assert_all_data_kept(&v, &before), 1);
    assert!(leftovers(&tmp).is_empty());
}

#[test]
fn a_rekey_with_a_new_passphrase_retires_the_old_passphrase_and_key() {
    let (_tmp, p) = setup();
    let before = clinic_profile(&p);
    p.rekey(
        "c",
        Unlock::Passphrase(&pass(PASS)),
        Some(&pass(NEW_PASS)),
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    )
    .unwrap()
    .lock();
    assert!(matches!(
        p.unlock("c", Unlock::Passphrase(&pass(PASS)), now()),
        Err(Error::WrongPassphrase)
    ));
    let v = p
        .unlock("c", Unlock::Passphrase(&pass(NEW_PASS)), now())
        .unwrap();
    assert_eq!(assert_all_data_kept(&v, &before), 1);
    let last = audit::list(v.conn()).unwrap().pop().unwrap();
    assert_eq!(last.detail["passphrase_changed"], true);
    assert_old_key_opens_nothing(v.dir(), &before.key, &before.blobs);
}

#[test]
fn a_rekeyed_personal_profile_has_its_new_key_in_the_keyring() {
    let (tmp, p) = setup();
    let ks = mock_keyring();
    let before = personal_profile(&p, &ks);
    let v = p
        .rekey(
            "me",
            Unlock::Keyring(&ks),
            None,
            KdfParams::INSECURE_FOR_TESTS,
            now(),
        )
        .unwrap();
    let id = v.info().id.clone();
    let dir = v.dir().to_owned();
    v.lock();
    let stored = ks.get(&id).unwrap().unwrap();
    assert_ne!(stored.expose()[..], bytes(&before.key)[..]);
    assert!(ks.get(&super::pending_account(&id)).unwrap().is_none());
    assert_old_key_opens_nothing(&dir, &before.key, &before.blobs);
    let v = p.unlock("me", Unlock::Keyring(&ks), now()).unwrap();
    assert_eq!(assert_all_data_kept(&v, &before), 1);
    assert!(leftovers(&tmp).is_empty());
    // A passphrase cannot be given to a keyring profile.
    v.lock();
    assert!(matches!(
        p.rekey(
            "me",
            Unlock::Keyring(&ks),
            Some(&pass(NEW_PASS)),
            KdfParams::INSECURE_FOR_TESTS,
            now()
        ),
        Err(Error::NotAPassphraseProfile)
    ));
}

#[test]
fn a_wrong_passphrase_or_an_open_profile_stops_the_rekey_before_any_change() {
    let (tmp, p) = setup();
    let before = clinic_profile(&p);
    let r = p.rekey(
        "c",
        Unlock::Passphrase(&pass("not the passphrase")),
        None,
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    );
    assert!(matches!(r, Err(Error::WrongPassphrase)), "{r:?}");

    // Open in another window (or a background scan): the re-key would swap the files under it.
    let other = p
        .unlock("c", Unlock::Passphrase(&pass(PASS)), now())
        .unwrap();
    let r = p.rekey(
        "c",
        Unlock::Passphrase(&pass(PASS)),
        None,
        KdfParams::INSECURE_FOR_TESTS,
        now(),
    );
    assert!(matches!(r, Err(Error::ProfileInUse)), "{r:?}");
    assert!(leftovers(&tmp).is_empty());
    // The open handle still works, and its key is still the profile's.
    assert_eq!(assert_all_data_kept(&other, &before), 0);
    other.lock();
    assert_eq!(bytes(&wrapped_key_of(&p, "c", PASS)), bytes(&before.key));
}

/// The step at which the profile's key changes: a crash before it leaves the old key, at or
/// after it the new one.
const FIRST_NEW_STEP: Step = Step::OldRetired;

const STEPS: [Step; 8] = [
    Step::DatabaseExported,
    Step::BlobsWritten,
    Step::PendingKeyStored,
    Step::Staged,
    Step::OldRetired,
    Step::Swapped,
    Step::KeyringSwitched,
    Step::Wiped,
];

fn crash_at(at: Step) -> impl FnMut(Step) -> Result<()> {
    move |step| {
        if step == at {
            Err(Error::Crypto {
                reason: "simulated crash",
            })
        } else {
            Ok(())
        }
    }
}

fn is_new(at: Step) -> bool {
    STEPS.iter().position(|s| *s == at) >= STEPS.iter().position(|s| *s == FIRST_NEW_STEP)
}

#[test]
fn a_clinic_rekey_crashed_at_any_step_opens_with_the_old_or_the_new_key() {
    for at in STEPS {
        let (tmp, p) = setup();
        let before = clinic_profile(&p);
        let r = p.rekey_with_faults(
            "c",
            Unlock::Passphrase(&pass(PASS)),
            None,
            KdfParams::INSECURE_FOR_TESTS,
            now(),
            &mut crash_at(at),
        );
        // Personal-only steps are not reached by a clinic re-key, which then completes.
        let crashed = r.is_err();
        drop(r);
        // The next start: listing recovers, then the profile opens with its passphrase.
        assert_eq!(p.list().unwrap().len(), 1, "{at:?}");
        assert!(leftovers(&tmp).is_empty(), "{at:?}: {:?}", leftovers(&tmp));
        let v = p
            .unlock("c", Unlock::Passphrase(&pass(PASS)), now())
            .unwrap_or_else(|e| panic!("{at:?}: {e}"));
        let added = assert_all_data_kept(&v, &before);
        let key_now = wrapped_key_of(&p, "c", PASS);
        let rekeyed = bytes(&key_now) != bytes(&before.key);
        assert_eq!(rekeyed, is_new(at) || !crashed, "{at:?}");
        assert_eq!(added, usize::from(rekeyed), "{at:?}");
        if rekeyed {
            assert_old_key_opens_nothing(v.dir(), &before.key, &before.blobs);
        }
        v.lock();
        // And it can be re-keyed again.
        p.rekey(
            "c",
            Unlock::Passphrase(&pass(PASS)),
            None,
            KdfParams::INSECURE_FOR_TESTS,
            now(),
        )
        .unwrap_or_else(|e| panic!("{at:?}: {e}"))
        .check()
        .unwrap();
    }
}

#[test]
fn a_personal_rekey_crashed_at_any_step_opens_with_the_old_or_the_new_key() {
    for at in STEPS {
        let (tmp, p) = setup();
        let ks = mock_keyring();
        let before = personal_profile(&p, &ks);
        let id = p.find("me").unwrap().id;
        let r = p.rekey_with_faults(
            "me",
            Unlock::Keyring(&ks),
            None,
            KdfParams::INSECURE_FOR_TESTS,
            now(),
            &mut crash_at(at),
        );
        assert!(r.is_err(), "{at:?}");
        drop(r);
        assert_eq!(p.list().unwrap().len(), 1, "{at:?}");
        assert!(leftovers(&tmp).is_empty(), "{at:?}: {:?}", leftovers(&tmp));
        let v = p
            .unlock("me", Unlock::Keyring(&ks), now())
            .unwrap_or_else(|e| panic!("{at:?}: {e}"));
        let added = assert_all_data_kept(&v, &before);
        // The keyring was set straight by the unlock: one key, the one that opens the vault.
        assert!(
            ks.get(&super::pending_account(&id)).unwrap().is_none(),
            "{at:?}"
        );
        let key_now = ProfileKey::from_bytes(ks.get(&id).unwrap().unwrap().expose()).unwrap();
        let rekeyed = bytes(&key_now) != bytes(&before.key);
        assert_eq!(rekeyed, is_new(at), "{at:?}");
        assert_eq!(added, usize::from(rekeyed), "{at:?}");
        if rekeyed {
            assert_old_key_opens_nothing(v.dir(), &before.key, &before.blobs);
        }
        v.lock();
        p.rekey(
            "me",
            Unlock::Keyring(&ks),
            None,
            KdfParams::INSECURE_FOR_TESTS,
            now(),
        )
        .unwrap_or_else(|e| panic!("{at:?}: {e}"))
        .check()
        .unwrap();
    }
}

#[test]
fn a_pending_key_of_a_crashed_rekey_goes_when_the_profile_is_wiped() {
    let (_tmp, p) = setup();
    let ks = mock_keyring();
    personal_profile(&p, &ks);
    let id = p.find("me").unwrap().id;
    let r = p.rekey_with_faults(
        "me",
        Unlock::Keyring(&ks),
        None,
        KdfParams::INSECURE_FOR_TESTS,
        now(),
        &mut crash_at(Step::Staged),
    );
    assert!(r.is_err());
    assert!(ks.get(&super::pending_account(&id)).unwrap().is_some());
    p.delete("me", Unlock::Keyring(&ks)).unwrap();
    assert!(ks.get(&id).unwrap().is_none());
    assert!(ks.get(&super::pending_account(&id)).unwrap().is_none());
}

#[test]
fn shredding_overwrites_files_before_removing_them() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("x");
    fs::create_dir_all(dir.join("blobs")).unwrap();
    let big = vec![0xA5u8; 200 * 1024];
    fs::write(dir.join(profile::PROFILE_FILE), b"{\"wrapped\": 1}").unwrap();
    fs::write(dir.join("blobs").join("b"), &big).unwrap();
    // Keep a handle on the blob's inode, to read what is left of it after the unlink.
    let mut kept = fs::File::open(dir.join("blobs").join("b")).unwrap();
    super::shred_folder(&dir).unwrap();
    assert!(!dir.exists());
    let mut after = Vec::new();
    std::io::Read::read_to_end(&mut kept, &mut after).unwrap();
    assert_eq!(after.len(), big.len());
    assert!(
        after.iter().all(|b| *b == 0),
        "the bytes were not overwritten"
    );
}
