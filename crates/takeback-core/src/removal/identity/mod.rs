//! Who letters are signed by: the person depicted, and optionally an authorised representative
//! (an advocate or clinic) who sends letters on their behalf.
//!
//! The identity lives in the profile's vault ([`store`]). Letters read it through [`Signer`], which
//! decides whose name, address and signature appear: in representative mode the representative
//! signs and gives their own contact details, so the person's home address and phone number stay
//! off a notice that may be forwarded to the uploader or published (Lumen).
//!
//! App API: `identity::store::load(&conn)` / `identity::store::save(&conn, &identity)`.

pub mod store;

use serde::{Deserialize, Serialize};

/// The person depicted, whose rights the letters assert.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Identity {
    pub name: String,
    pub email: String,
    pub postal: Option<String>,
    pub phone: Option<String>,
    /// ISO 3166-1 alpha-2 country of residence, upper case (`GB`, `DE`, `US`).
    pub country: Option<String>,
    pub representative: Option<Representative>,
}

/// An advocate, lawyer or clinic authorised to act for the person.
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Representative {
    pub name: String,
    pub email: String,
    pub organisation: Option<String>,
    pub postal: Option<String>,
    pub phone: Option<String>,
}

/// Whose details sign a letter and receive the replies.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Signer {
    pub name: String,
    pub email: String,
    pub organisation: Option<String>,
    pub postal: Option<String>,
    pub phone: Option<String>,
    /// True when the signer acts for the person depicted rather than being them.
    pub is_representative: bool,
}

impl Identity {
    /// The signer of letters: the representative when one is set and `use_representative` is
    /// true, otherwise the person.
    pub fn signer(&self, use_representative: bool) -> Signer {
        match (&self.representative, use_representative) {
            (Some(rep), true) => Signer {
                name: rep.name.clone(),
                email: rep.email.clone(),
                organisation: rep.organisation.clone(),
                postal: rep.postal.clone(),
                phone: rep.phone.clone(),
                is_representative: true,
            },
            _ => Signer {
                name: self.name.clone(),
                email: self.email.clone(),
                organisation: None,
                postal: self.postal.clone(),
                phone: self.phone.clone(),
                is_representative: false,
            },
        }
    }

    /// Normalises the country code to upper case and trims every field.
    pub fn normalised(mut self) -> Self {
        self.name = self.name.trim().to_owned();
        self.email = self.email.trim().to_owned();
        self.country = self
            .country
            .map(|c| c.trim().to_ascii_uppercase())
            .filter(|c| !c.is_empty());
        self
    }
}
