//! A passphrase of words for a bundle, to be shown once and written down: 10 words from the
//! BIP-39 English list (2048 words, so 110 bits), the list the age tool itself uses for the
//! passphrases it generates (`assets/bip39-english.txt`, copied from the age crate).

use age::secrecy::SecretString;

use crate::Result;

const WORDS: &str = include_str!("../../../assets/bip39-english.txt");
const COUNT: usize = 10;

/// A new passphrase: `COUNT` words drawn uniformly at random, joined by `-`.
pub fn generate() -> Result<SecretString> {
    let list: Vec<&str> = WORDS.lines().filter(|w| !w.is_empty()).collect();
    debug_assert_eq!(list.len(), 2048);
    let random = crate::storage::vault::keys::random_array::<{ COUNT * 2 }>()?;
    let words: Vec<&str> = random
        .chunks(2)
        // 2048 = 2^11: the low 11 bits of two random bytes pick a word without bias.
        .map(|pair| list[(usize::from(pair[0]) << 8 | usize::from(pair[1])) & 0x7ff])
        .collect();
    Ok(SecretString::from(words.join("-")))
}

#[cfg(test)]
mod tests {
    use age::secrecy::ExposeSecret;

    #[test]
    fn ten_words_from_the_list_and_never_the_same_twice() {
        let a = super::generate().unwrap();
        let b = super::generate().unwrap();
        assert_eq!(a.expose_secret().split('-').count(), 10);
        assert!(a
            .expose_secret()
            .split('-')
            .all(|w| super::WORDS.lines().any(|l| l == w)));
        assert_ne!(a.expose_secret(), b.expose_secret());
    }
}
