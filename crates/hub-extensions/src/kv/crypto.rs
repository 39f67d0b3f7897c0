//! Encryption of confidential values at rest: AES-256-GCM (ring) under a key the server holds.
//!
//! [`KeyProvider`] is the seam through which the key arrives; the master password will own it
//! later, until then [`StaticKey`] serves a key the server was given. Each value gets a fresh
//! random nonce and is bound to its store and key (additional data), so a sealed value copied to
//! another pair does not open.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use ring::rand::{SecureRandom, SystemRandom};

use crate::error::ExtensionError;

/// Gives the 256-bit key confidential values are encrypted with.
pub trait KeyProvider: Send + Sync {
    /// The key.
    fn key(&self) -> Result<[u8; 32], ExtensionError>;
}

/// A fixed key held in memory.
pub struct StaticKey([u8; 32]);

impl StaticKey {
    /// Uses `key` as is.
    pub fn new(key: [u8; 32]) -> Self {
        Self(key)
    }

    /// A fresh random key (for tests and throw-away hubs).
    pub fn random() -> Result<Self, ExtensionError> {
        let mut key = [0u8; 32];
        SystemRandom::new()
            .fill(&mut key)
            .map_err(|_| crypto("no random source"))?;
        Ok(Self(key))
    }
}

impl KeyProvider for StaticKey {
    fn key(&self) -> Result<[u8; 32], ExtensionError> {
        Ok(self.0)
    }
}

fn crypto(reason: &str) -> ExtensionError {
    ExtensionError::Crypto {
        reason: reason.to_owned(),
    }
}

/// Seals and opens confidential values.
pub struct Sealer {
    provider: Box<dyn KeyProvider>,
    random: SystemRandom,
}

impl Sealer {
    /// A sealer using the key `provider` gives.
    pub fn new(provider: Box<dyn KeyProvider>) -> Self {
        Self {
            provider,
            random: SystemRandom::new(),
        }
    }

    fn cipher(&self) -> Result<LessSafeKey, ExtensionError> {
        let key = self.provider.key()?;
        let unbound = UnboundKey::new(&AES_256_GCM, &key).map_err(|_| crypto("invalid key"))?;
        Ok(LessSafeKey::new(unbound))
    }

    fn aad(store: &str, key: &str) -> Vec<u8> {
        format!("syncline-kv\0{store}\0{key}").into_bytes()
    }

    /// Base64 of nonce, ciphertext and tag.
    pub fn seal(&self, store: &str, key: &str, value: &str) -> Result<String, ExtensionError> {
        let mut nonce = [0u8; NONCE_LEN];
        self.random
            .fill(&mut nonce)
            .map_err(|_| crypto("no random source"))?;
        let mut data = value.as_bytes().to_vec();
        self.cipher()?
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(Self::aad(store, key)),
                &mut data,
            )
            .map_err(|_| crypto("encryption failed"))?;
        let mut out = nonce.to_vec();
        out.extend(data);
        Ok(STANDARD.encode(out))
    }

    /// The value sealed by [`Self::seal`] for the same store and key.
    pub fn open(&self, store: &str, key: &str, sealed: &str) -> Result<String, ExtensionError> {
        let bytes = STANDARD
            .decode(sealed)
            .map_err(|_| crypto("a stored value is damaged"))?;
        if bytes.len() < NONCE_LEN {
            return Err(crypto("a stored value is damaged"));
        }
        let (nonce, data) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| crypto("bad nonce"))?;
        let mut data = data.to_vec();
        let plain = self
            .cipher()?
            .open_in_place(nonce, Aad::from(Self::aad(store, key)), &mut data)
            .map_err(|_| crypto("a stored value does not open with the server's key"))?;
        String::from_utf8(plain.to_vec()).map_err(|_| crypto("a stored value is not text"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_round_trip_and_are_bound_to_their_pair() {
        let sealer = Sealer::new(Box::new(StaticKey::random().unwrap()));
        let sealed = sealer.seal("Creds", "token", "s3cret").unwrap();
        assert!(!sealed.contains("s3cret"));
        assert_ne!(sealed, sealer.seal("Creds", "token", "s3cret").unwrap());
        assert_eq!(sealer.open("Creds", "token", &sealed).unwrap(), "s3cret");
        assert!(sealer.open("Creds", "other", &sealed).is_err());
        let stranger = Sealer::new(Box::new(StaticKey::random().unwrap()));
        assert!(stranger.open("Creds", "token", &sealed).is_err());
    }
}
