//! The identity's table in the profile vault. One row: a profile belongs to one person.

use rusqlite::{params, Connection, OptionalExtension};

use super::{Identity, Representative};
use crate::base::error::storage;
use crate::Result;

/// Saves (replaces) the identity.
/// Saves `identity` tidied up (see [`Identity::normalised`]) and returns it as stored.
pub fn save_normalised(conn: &Connection, identity: Identity) -> Result<Identity> {
    let identity = identity.normalised();
    save(conn, &identity)?;
    Ok(identity)
}

pub fn save(conn: &Connection, identity: &Identity) -> Result<()> {
    let rep = identity.representative.as_ref();
    conn.execute(
        "INSERT OR REPLACE INTO identity (id, name, email, postal, phone, country, rep_name,
             rep_email, rep_organisation, rep_postal, rep_phone)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        params![
            identity.name,
            identity.email,
            identity.postal,
            identity.phone,
            identity.country,
            rep.map(|r| &r.name),
            rep.map(|r| &r.email),
            rep.and_then(|r| r.organisation.as_ref()),
            rep.and_then(|r| r.postal.as_ref()),
            rep.and_then(|r| r.phone.as_ref()),
        ],
    )
    .map_err(|e| storage("saving the identity", e))?;
    Ok(())
}

/// The saved identity, or `None` before `identity set`.
pub fn load(conn: &Connection) -> Result<Option<Identity>> {
    conn.query_row(
        "SELECT name, email, postal, phone, country, rep_name, rep_email, rep_organisation,
                rep_postal, rep_phone FROM identity WHERE id = 1",
        [],
        |row| {
            let rep_name: Option<String> = row.get(5)?;
            let rep_email: Option<String> = row.get(6)?;
            let representative = match (rep_name, rep_email) {
                (Some(name), Some(email)) => Some(Representative {
                    name,
                    email,
                    organisation: row.get(7)?,
                    postal: row.get(8)?,
                    phone: row.get(9)?,
                }),
                _ => None,
            };
            Ok(Identity {
                name: row.get(0)?,
                email: row.get(1)?,
                postal: row.get(2)?,
                phone: row.get(3)?,
                country: row.get(4)?,
                representative,
            })
        },
    )
    .optional()
    .map_err(|e| storage("reading the identity", e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_with_and_without_representative() {
        let mut conn = Connection::open_in_memory().unwrap();
        crate::storage::vault::migrations::apply(
            &mut conn,
            crate::storage::vault::migrations::MIGRATIONS,
        )
        .unwrap();
        assert_eq!(load(&conn).unwrap(), None);
        let mut id = Identity {
            name: "Alex Doe".into(),
            email: "alex@example.org".into(),
            country: Some("GB".into()),
            ..Identity::default()
        };
        save(&conn, &id).unwrap();
        assert_eq!(load(&conn).unwrap().as_ref(), Some(&id));
        id.representative = Some(Representative {
            name: "Sam Advocate".into(),
            email: "sam@clinic.example".into(),
            organisation: Some("Clinic".into()),
            ..Representative::default()
        });
        save(&conn, &id).unwrap();
        assert_eq!(load(&conn).unwrap(), Some(id));
    }
}
