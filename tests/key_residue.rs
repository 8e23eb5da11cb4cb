//! Residue checks: after loading, writing or deriving a keyset, no copy of a key is left in
//! memory the program no longer owns (the scanners are in `tests/residue/mod.rs`).
//!
//! The secrets ("needles") are every 16-byte window of each raw key, of its standard base64
//! form (as the JSON file holds it), of the base64 of its Tink `AesSivKey` protobuf and, for
//! purposes, of the derived keys and HKDF's pseudorandom keys. Keys are pseudo-random bytes, so
//! a chance match is out of the question.

#![cfg(feature = "std")]

mod residue;

use base64ct::{Base64, Encoding as _};
use hmac::{KeyInit, Mac};
use phonetoken::{KeyStatus, Keyset, PseudonymKey, TokenKey};
use residue::{residue, Needles};

/// For the by-value forms: the returned keyset is built in frames below the caller and moved
/// into the caller's frame, where the compiler's copies are out of the crate's reach (the
/// documented limit), so only the heap is checked.
#[track_caller]
fn assert_heap_clean(what: &str, found: (Option<String>, Option<String>)) {
    assert_eq!(found.0, None, "{what} left key material behind");
}

#[track_caller]
fn assert_clean(what: &str, found: (Option<String>, Option<String>)) {
    assert_eq!(found, (None, None), "{what} left key material behind");
}

/// A key's raw bytes, its base64 (phonetoken JSON) and, for token keys, the base64 of its
/// Tink protobuf.
fn add_key(n: &mut Needles, name: &str, key: &[u8]) {
    n.add(name.to_string(), key);
    n.add(
        format!("{name} (base64)"),
        Base64::encode_string(key).as_bytes(),
    );
    if key.len() == 64 {
        let mut proto = vec![0x12, 0x40];
        proto.extend_from_slice(key);
        let tink = Base64::encode_string(&proto);
        n.add(format!("{name} (Tink base64)"), tink.as_bytes());
    }
}

/// Deterministic, patternless key bytes.
fn bytes(seed: u64, out: &mut [u8]) {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    for b in out {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
}

const KEYS: usize = 8;

/// Eight keys with the longest ids, as raw bytes.
struct Material {
    ids: [u32; KEYS],
    pseudonym: [[u8; 32]; KEYS],
    token: [[u8; 64]; KEYS],
}

fn material() -> Box<Material> {
    material_seeded(0)
}

fn material_seeded(seed: u64) -> Box<Material> {
    let mut m = Box::new(Material {
        ids: std::array::from_fn(|i| u32::MAX - i as u32),
        pseudonym: [[0; 32]; KEYS],
        token: [[0; 64]; KEYS],
    });
    for i in 0..KEYS {
        bytes(seed + 2 * i as u64 + 11, &mut m.pseudonym[i]);
        bytes(seed + 2 * i as u64 + 12, &mut m.token[i]);
    }
    m
}

fn needles(m: &Material) -> Needles {
    let mut n = Needles::default();
    for i in 0..KEYS {
        add_key(&mut n, &format!("pseudonym key {i}"), &m.pseudonym[i]);
        add_key(&mut n, &format!("token key {i}"), &m.token[i]);
    }
    n
}

/// The material as phonetoken keyset JSON, written here (not by the library).
fn json(m: &Material) -> String {
    let keys: Vec<String> = (0..KEYS)
        .map(|i| {
            format!(
                r#"{{"id": {}, "status": "{}", "pseudonym_key": "{}", "token_key": "{}"}}"#,
                m.ids[i],
                if i == KEYS - 1 { "disabled" } else { "enabled" },
                Base64::encode_string(&m.pseudonym[i]),
                Base64::encode_string(&m.token[i]),
            )
        })
        .collect();
    format!(
        r#"{{"format": "phonetoken-keyset", "version": 1, "primary_key_id": {}, "keys": [{}]}}"#,
        m.ids[0],
        keys.join(", ")
    )
}

/// The token keys as a Tink cleartext keyset, written here.
fn tink_json(m: &Material) -> String {
    let keys: Vec<String> = (0..KEYS)
        .map(|i| {
            let mut proto = vec![0x12, 0x40];
            proto.extend_from_slice(&m.token[i]);
            format!(
                r#"{{"keyData": {{"typeUrl": "type.googleapis.com/google.crypto.tink.AesSivKey", "value": "{}", "keyMaterialType": "SYMMETRIC"}}, "status": "ENABLED", "keyId": {}, "outputPrefixType": "TINK"}}"#,
                Base64::encode_string(&proto),
                m.ids[i]
            )
        })
        .collect();
    format!(
        r#"{{"primaryKeyId": {}, "key": [{}]}}"#,
        m.ids[0],
        keys.join(", ")
    )
}

/// The material as a keyset on the heap, built without the loaders under test.
fn boxed_keyset(m: &Material) -> Box<Keyset> {
    let key = |i: usize| {
        (
            PseudonymKey::from_bytes(&m.pseudonym[i]).unwrap(),
            TokenKey::from_bytes(&m.token[i]).unwrap(),
        )
    };
    let (p, t) = key(0);
    let mut ks: Box<Keyset> = Box::new(Keyset::new(m.ids[0], p, t));
    for i in 1..KEYS {
        let (p, t) = key(i);
        ks.add_key(m.ids[i], KeyStatus::Enabled, p, t).unwrap();
    }
    ks
}

/// The generator the Tink import draws pseudonym keys from: known bytes, so they are needles.
struct KnownRng(u64);

impl rand_core::TryRng for KnownRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(7)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(7)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.0 += 1;
        bytes(1000 + self.0, dst);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for KnownRng {}

#[test]
fn the_scanners_find_what_is_left() {
    // The checks below are only worth something if the scanners see residue that is there.
    let m = material();
    let n = needles(&m);
    let found = residue(&n, || {
        let leak = std::hint::black_box(m.token[3].to_vec());
        drop(leak);
    });
    assert_eq!(
        found.0.as_deref(),
        Some("token key 3 in a freed heap block of 64 bytes")
    );
    let found = residue(&n, || {
        #[inline(never)]
        fn copy(key: &[u8; 32]) {
            let local = *key;
            std::hint::black_box(&local);
        }
        copy(&m.pseudonym[5]);
    });
    assert!(
        found
            .1
            .as_deref()
            .is_some_and(|s| s.starts_with("pseudonym key 5 on the stack")),
        "{found:?}"
    );
}

#[test]
fn from_json_leaves_no_key_behind() {
    let m = material();
    let (n, text) = (needles(&m), json(&m));
    assert_heap_clean(
        "Keyset::from_json",
        residue(&n, || {
            // By value, used where it lands: moving it out of the `Result` would copy it.
            let ks: Result<Keyset, _> = Keyset::from_json(&text);
            assert_eq!(ks.as_ref().map(Keyset::primary_key_id), Ok(m.ids[0]));
        }),
    );
    let mut ks = boxed_keyset(&material_seeded(100));
    assert_clean(
        "Keyset::load_json",
        residue(&n, || {
            ks.load_json(&text).unwrap();
            assert_eq!(ks.primary_key_id(), m.ids[0]);
        }),
    );
    // The keyset holds the keys, so the scanners must find nothing once it is dropped.
    let mut ks = Some(ks);
    assert_clean("dropping the keyset", residue(&n, || drop(ks.take())));
}

#[test]
fn from_tink_json_leaves_no_key_behind() {
    let m = material();
    let mut n = needles(&m);
    for i in 1..=KEYS as u64 {
        let mut p = [0u8; 32];
        bytes(1000 + i, &mut p);
        n.add(format!("imported pseudonym key {i}"), &p);
    }
    let text = tink_json(&m);
    assert_heap_clean(
        "Keyset::from_tink_json_with_rng",
        residue(&n, || {
            let ks: Result<Keyset, _> = Keyset::from_tink_json_with_rng(&text, &mut KnownRng(0));
            assert_eq!(ks.as_ref().map(|k| k.keys().count()), Ok(KEYS));
        }),
    );
    assert_heap_clean(
        "Keyset::from_tink_json",
        residue(&n, || {
            let ks: Result<Keyset, _> = Keyset::from_tink_json(&text);
            assert_eq!(ks.as_ref().map(|k| k.keys().count()), Ok(KEYS));
        }),
    );
    let mut ks = boxed_keyset(&material_seeded(100));
    assert_clean(
        "Keyset::load_tink_json_with_rng",
        residue(&n, || {
            ks.load_tink_json_with_rng(&text, &mut KnownRng(0)).unwrap();
            assert_eq!(ks.keys().count(), KEYS);
        }),
    );
}

#[test]
fn to_json_and_to_tink_json_leave_no_key_behind() {
    let m = material();
    let n = needles(&m);
    let ks = boxed_keyset(&m);
    assert_clean(
        "Keyset::to_json",
        residue(&n, || assert!(ks.to_json().contains(&m.ids[7].to_string()))),
    );
    assert_clean(
        "Keyset::to_tink_json",
        residue(&n, || {
            assert!(ks.to_tink_json().contains(&m.ids[7].to_string()))
        }),
    );
}

#[test]
fn for_purpose_leaves_no_key_behind() {
    let m = material();
    let mut n = needles(&m);
    for i in 0..KEYS {
        let p = PseudonymKey::from_bytes(&m.pseudonym[i]).unwrap();
        let t = TokenKey::from_bytes(&m.token[i]).unwrap();
        n.add(
            format!("derived pseudonym key {i}"),
            p.derive("contacts").unwrap().as_bytes(),
        );
        n.add(
            format!("derived token key {i}"),
            t.derive("contacts").unwrap().as_bytes(),
        );
        for (what, ikm) in [
            ("pseudonym", &m.pseudonym[i][..]),
            ("token", &m.token[i][..]),
        ] {
            let mut mac =
                <hmac::Hmac<sha2::Sha256> as KeyInit>::new_from_slice(b"phonetoken-v1").unwrap();
            mac.update(ikm);
            n.add(
                format!("HKDF PRK of {what} key {i}"),
                &mac.finalize().into_bytes(),
            );
        }
    }
    let ks = boxed_keyset(&m);
    assert_heap_clean(
        "Keyset::for_purpose",
        residue(&n, || {
            let derived = ks.for_purpose("contacts");
            assert_eq!(derived.as_ref().map(Keyset::primary_key_id), Ok(m.ids[0]));
        }),
    );
    let mut ks = ks;
    assert_clean(
        "Keyset::for_purpose_in_place",
        residue(&n, || {
            ks.for_purpose_in_place("contacts").unwrap();
            assert_eq!(ks.primary_key_id(), m.ids[0]);
        }),
    );
    // What the in-place derivation gives is what `for_purpose` gives.
    let fresh = boxed_keyset(&m);
    let number = "+14155552671".parse().unwrap();
    assert!(ks.pseudonymize_all(&number).eq(fresh
        .for_purpose("contacts")
        .unwrap()
        .pseudonymize_all(&number)));
}

#[test]
fn reading_a_keyset_file_leaves_no_key_behind() {
    // The command-line tool reads keyset files with `read_secret_file`.
    let m = material();
    let n = needles(&m);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("keyset.json");
    std::fs::write(&path, json(&m)).unwrap();
    assert_clean(
        "keyset_file::read_secret_file",
        residue(&n, || {
            let text = phonetoken::keyset_file::read_secret_file(&path, 1 << 20).unwrap();
            assert!(text.starts_with("{\"format\""));
        }),
    );
    // Too large and not UTF-8: refused, and the buffer is still wiped.
    assert_clean(
        "read_secret_file (too large)",
        residue(&n, || {
            let err = phonetoken::keyset_file::read_secret_file(&path, 100).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::FileTooLarge);
        }),
    );
    let mut bad = json(&m).into_bytes();
    bad.push(0xff);
    std::fs::write(&path, &bad).unwrap();
    assert_clean(
        "read_secret_file (not UTF-8)",
        residue(&n, || {
            let err = phonetoken::keyset_file::read_secret_file(&path, 1 << 20).unwrap_err();
            assert_eq!(err.kind(), std::io::ErrorKind::InvalidData);
        }),
    );
}

#[test]
fn encrypted_keysets_leave_no_key_behind() {
    use phonetoken::encrypted_keyset::TinkAeadKey;

    let m = material();
    let n = needles(&m);
    let ks = boxed_keyset(&m);
    let master = TinkAeadKey::generate_os().unwrap();
    let mut sealed = String::new();
    assert_clean(
        "Keyset::to_encrypted_json",
        residue(&n, || sealed = ks.to_encrypted_json(&master, b"").unwrap()),
    );
    let mut loaded = Box::new(Keyset::generate_os().unwrap());
    assert_clean(
        "Keyset::load_encrypted_json",
        residue(&n, || {
            loaded.load_encrypted_json(&sealed, &master, b"").unwrap()
        }),
    );
    assert_eq!(*loaded.to_json(), *ks.to_json());
    assert_heap_clean(
        "Keyset::from_encrypted_json",
        residue(&n, || {
            let back = Keyset::from_encrypted_json(&sealed, &master, b"").unwrap();
            assert_eq!(back.primary_key_id(), ks.primary_key_id());
        }),
    );
}
