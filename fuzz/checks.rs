//! What each fuzz target asserts, shared by the targets in `fuzz_targets/` and by
//! `tests/fuzz_regressions.rs`, which replays saved inputs as ordinary tests.

use phonetoken::{parse, PhoneNumber, Region};

/// Splits fuzz input into a default region (first two bytes, often not a region, which is a
/// case too) and the text to parse.
fn region_and_text(data: &[u8]) -> (Option<Region>, String) {
    let (region_bytes, text) = data.split_at(data.len().min(2));
    let region = core::str::from_utf8(region_bytes)
        .ok()
        .and_then(|r| r.parse::<Region>().ok());
    (region, String::from_utf8_lossy(text).into_owned())
}

/// `parse` returns on any input, and every success is canonical E.164 that parses back to
/// itself.
pub fn parse_case(data: &[u8]) {
    let (region, text) = region_and_text(data);
    if let Ok(number) = parse(&text, region) {
        let e164 = number.as_str();
        assert!(
            e164.len() > 1
                && e164.starts_with('+')
                && e164[1..].bytes().all(|b| b.is_ascii_digit()),
            "parse({text:?}) gave {e164:?}, which is not + and digits"
        );
        assert_eq!(
            e164.parse::<PhoneNumber>(),
            Ok(number),
            "the E.164 form of {text:?} must parse back to itself"
        );
    }
}

/// Whatever `parse` produces reads back as itself through strict E.164, and parsing it again
/// (with the same region or none) keeps the country code and never lengthens the number.
///
/// Parsing again is not always the identity: libphonenumber strips a national prefix after
/// the country code once per parse (`+200000000000` gives `+20000000000`, which gives
/// `+2000000000`), and phonetoken must do exactly the same.
pub fn e164_fixpoint_case(data: &[u8]) {
    let (region, text) = region_and_text(data);
    if let Ok(first) = parse(&text, region) {
        assert_eq!(
            first.as_str().parse::<PhoneNumber>(),
            Ok(first),
            "parse({text:?}) gave {first}, which strict E.164 does not read back as itself"
        );
        for again in [None, region] {
            let second = parse(first.as_str(), again);
            assert!(
                second.is_ok_and(|n| n.country_code() == first.country_code()
                    && n.as_str().len() <= first.as_str().len()),
                "parse({text:?}) gave {first}; parsing that with region {again:?} gave {second:?}"
            );
        }
    }
}

/// Formatting (feature `format`): the first byte is `Masked`'s `visible`, then a region and
/// text as for [`parse_case`]. Every number `parse_with_extension` gives is formatted in every
/// format, with its extension and without: never a panic, always within `MAX_FORMATTED_LEN`,
/// ASCII, the same through `Display`, a buffer one byte short refused with the exact length;
/// INTERNATIONAL and RFC3966 spell the national number's digits and nothing else after the
/// country code, and INTERNATIONAL parses back to what the E.164 form parses to; the mask is
/// INTERNATIONAL with the digits hidden.
#[cfg(feature = "format")]
pub fn format_case(data: &[u8]) {
    use phonetoken::{parse_with_extension, Format, FormatError, MAX_FORMATTED_LEN};

    let Some((&visible, rest)) = data.split_first() else {
        return;
    };
    let (region, text) = region_and_text(rest);
    let Ok((number, extension)) = parse_with_extension(&text, region) else {
        return;
    };
    let formats = [
        Format::E164,
        Format::International,
        Format::National,
        Format::Rfc3966,
        Format::Masked { visible },
    ];
    let mut buf = [0u8; MAX_FORMATTED_LEN];
    for ext in [None, extension.as_ref()] {
        for format in formats {
            let shown = match number.format_with_extension(ext, format, &mut buf) {
                Ok(shown) => shown.to_owned(),
                Err(e) => panic!("{number} {ext:?} in {format:?} does not fit: {e}"),
            };
            assert!(!shown.is_empty() && shown.is_ascii(), "{shown:?}");
            let displayed = number.formatted(format).with_extension(ext).to_string();
            assert_eq!(displayed, shown, "{number} in {format:?}");
            let mut short = vec![0u8; shown.len() - 1];
            assert_eq!(
                number.format_with_extension(ext, format, &mut short),
                Err(FormatError::BufferTooSmall {
                    needed: shown.len()
                })
            );
        }
    }
    let show = |format| {
        let mut buf = [0u8; MAX_FORMATTED_LEN];
        number
            .format(format, &mut buf)
            .map(str::to_owned)
            .unwrap_or_default()
    };
    let national = number.national_number();
    let head = format!("+{} ", number.country_code());
    let intl = show(Format::International);
    let uri = show(Format::Rfc3966);
    for (text, head) in [
        (&intl, head.clone()),
        (&uri, format!("tel:{}-", head.trim_end())),
    ] {
        let rest = text
            .strip_prefix(&head)
            .unwrap_or_else(|| panic!("{text:?}"));
        let digits: String = rest.chars().filter(char::is_ascii_digit).collect();
        assert_eq!(digits, national, "{text:?} for {number}");
    }
    assert_eq!(parse(&intl, None), parse(number.as_str(), None), "{intl:?}");
    assert_eq!(show(Format::E164), number.as_str());
    let masked = show(Format::Masked { visible });
    let hidden = national.len().saturating_sub(usize::from(visible));
    let mut seen = 0;
    for (m, i) in masked.bytes().zip(intl.bytes()).skip(head.len()) {
        if i.is_ascii_digit() {
            seen += 1;
            assert_eq!(
                m,
                if seen <= hidden { b'*' } else { i },
                "{masked:?} {intl:?}"
            );
        } else {
            assert_eq!(m, i, "{masked:?} {intl:?}");
        }
    }
    assert_eq!(masked.len(), intl.len());
    assert!(masked.starts_with(&head), "{masked:?}");
}

// ---------------------------------------------------------------------------------------------
// Keys, tokens and keyset files.
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "std")]
use phonetoken::keyset_file::KeysetFileError;
#[cfg(feature = "std")]
use phonetoken::KeysetN;
use phonetoken::{
    Encoding, KeyStatus, Keyset, PseudonymKey, Pseudonymizer, Token, TokenError, TokenKey,
    Tokenizer,
};

/// Key ids of [`fixed_keyset`]: the enabled primary, a disabled key, another enabled key.
pub const PRIMARY_ID: u32 = 0x0102_0304;
/// A disabled key of [`fixed_keyset`].
pub const DISABLED_ID: u32 = 7;
/// An enabled, non-primary key of [`fixed_keyset`].
pub const OTHER_ID: u32 = 0xffff_fffe;

/// TEST KEYS ONLY. The pseudonym key of the key with id `id` in [`fixed_keyset`].
pub fn test_pseudonym_key(id: u32) -> [u8; 32] {
    core::array::from_fn(|i| (i as u8) ^ (id as u8))
}

/// TEST KEYS ONLY. The token key of the key with id `id` in [`fixed_keyset`].
pub fn test_token_key(id: u32) -> [u8; 64] {
    core::array::from_fn(|i| (i as u8).wrapping_mul(3) ^ (id as u8))
}

/// The keyset every token target runs against (fixed test keys, three ids, one disabled).
pub fn fixed_keyset() -> Keyset {
    let key = |id| {
        (
            PseudonymKey::from_bytes(&test_pseudonym_key(id)).expect("32 bytes"),
            TokenKey::from_bytes(&test_token_key(id)).expect("64 bytes"),
        )
    };
    let (p, t) = key(PRIMARY_ID);
    let mut ks = Keyset::new(PRIMARY_ID, p, t);
    for (id, status) in [
        (DISABLED_ID, KeyStatus::Disabled),
        (OTHER_ID, KeyStatus::Enabled),
    ] {
        let (p, t) = key(id);
        ks.add_key(id, status, p, t).expect("room for three keys");
    }
    ks
}

/// A standalone tokenizer for the key `id` of [`fixed_keyset`].
fn tokenizer_for(id: u32) -> Tokenizer {
    Tokenizer::new(id, &test_token_key(id)).expect("64 bytes")
}

/// Takes a length byte and that many bytes (capped at `max`) from the front of `data`.
fn take_prefixed(data: &[u8], max: usize) -> (&[u8], &[u8]) {
    let Some((&len, rest)) = data.split_first() else {
        return (&[], &[]);
    };
    rest.split_at(usize::from(len).min(max).min(rest.len()))
}

/// What a check decided about its input, so replay tests can show both branches are covered.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Outcome {
    /// The library accepted the input (a token opened, a keyset loaded, a number parsed).
    Accepted,
    /// The library refused it with an error.
    Rejected,
}

/// Checks one detokenization result: an error is fine (with the right variant where the key
/// id decides it), a success must be a canonical number whose token, made again under the same
/// key and context, is exactly the input.
fn check_opened(token: &Token, context: &[u8], result: Result<PhoneNumber, TokenError>) -> Outcome {
    let id = token.key_id();
    match result {
        Ok(number) => {
            assert!(
                id == PRIMARY_ID || id == OTHER_ID,
                "token {token} opened under key {id}, which is not an enabled key"
            );
            assert_eq!(number.as_str().parse::<PhoneNumber>(), Ok(number));
            assert_eq!(
                tokenizer_for(id).tokenize(&number, context),
                *token,
                "an opened token must be the one tokenize makes (AES-SIV is deterministic)"
            );
            Outcome::Accepted
        }
        Err(e) => {
            match id {
                PRIMARY_ID | OTHER_ID => assert!(
                    matches!(e, TokenError::Authentication | TokenError::NotE164),
                    "key {id} exists and is enabled, yet {token} failed with {e:?}"
                ),
                DISABLED_ID => assert_eq!(e, TokenError::KeyDisabled { key_id: id }),
                _ => assert_eq!(e, TokenError::UnknownKeyId { key_id: id }),
            }
            Outcome::Rejected
        }
    }
}

/// `detokenize` on arbitrary token text and bytes against [`fixed_keyset`]: never a panic,
/// errors are the ones the token's public bytes call for, and a success is a canonical number
/// that tokenizes back to the very same token.
///
/// Layout: one mode byte (bit 0: token bytes or token text; bits 1-2: which text encoding),
/// a length byte and that many context bytes, then the token.
pub fn detokenize_case(data: &[u8]) -> Outcome {
    let Some((&mode, rest)) = data.split_first() else {
        return Outcome::Rejected;
    };
    let (context, body) = take_prefixed(rest, 64);
    let keyset = fixed_keyset();
    let token = if mode & 1 == 0 {
        Token::from_bytes(body)
    } else {
        let text = String::from_utf8_lossy(body);
        let encoding = match (mode >> 1) & 3 {
            1 => Encoding::Base64,
            2 => Encoding::Hex,
            _ => Encoding::Base64Url,
        };
        if encoding == Encoding::Base64Url {
            // The text entry point must agree with parsing then opening.
            let direct = keyset.detokenize_str(&text, context);
            let staged = text
                .parse::<Token>()
                .and_then(|t| keyset.detokenize(&t, context));
            assert_eq!(direct, staged, "detokenize_str disagrees on {text:?}");
        }
        Token::decode(encoding, &text)
    };
    let Ok(token) = token else {
        return Outcome::Rejected;
    };
    // Public parts read back exactly.
    let bytes = token.as_bytes();
    assert!((25..=42).contains(&bytes.len()) && bytes[0] == 0x01);
    assert_eq!(Token::from_bytes(bytes), Ok(token));
    assert_eq!(token.to_string().parse::<Token>(), Ok(token));
    let outcome = check_opened(&token, context, keyset.detokenize(&token, context));
    // A lone tokenizer agrees with the keyset for the keys it has.
    if token.key_id() == PRIMARY_ID {
        assert_eq!(
            tokenizer_for(PRIMARY_ID).detokenize(&token, context),
            keyset.detokenize(&token, context)
        );
    }
    outcome
}

#[cfg(feature = "std")]
/// A deterministic generator for the pseudonym keys `from_tink_json_with_rng` makes up.
/// Not random at all: for tests only.
pub struct CountingRng(pub u8);

#[cfg(feature = "std")]
impl rand_core::TryRng for CountingRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        for b in dst {
            self.0 = self.0.wrapping_add(1);
            *b = self.0;
        }
        Ok(())
    }
}

#[cfg(feature = "std")]
impl rand_core::TryCryptoRng for CountingRng {}

#[cfg(feature = "std")]
/// Two keysets behave the same: same ids, statuses and primary, same pseudonyms and tokens
/// under every key, and each opens the other's tokens.
fn assert_same_keys<const M: usize, const N: usize>(a: &KeysetN<M>, b: &KeysetN<N>) {
    assert!(a.keys().eq(b.keys()), "key lists differ");
    let number: PhoneNumber = "+14155552671".parse().expect("valid E.164");
    assert!(a.pseudonymize_all(&number).eq(b.pseudonymize_all(&number)));
    let token = a.tokenize(&number, b"ctx");
    assert_eq!(token, b.tokenize(&number, b"ctx"));
    assert_eq!(b.detokenize(&token, b"ctx"), Ok(number));
}

#[cfg(feature = "std")]
/// Arbitrary keyset files through `Keyset::from_json` and `Keyset::from_tink_json`: never a
/// panic; an accepted keyset writes out as text that loads back to the same keys, and the
/// keyset types with less room refuse what does not fit.
pub fn keyset_json_case(data: &[u8]) -> Outcome {
    let text = String::from_utf8_lossy(data);
    let mut outcome = Outcome::Rejected;
    if let Ok(ks) = Keyset::from_json(&text) {
        outcome = Outcome::Accepted;
        let json = ks.to_json();
        let back = Keyset::from_json(&json).expect("to_json output must load");
        assert_eq!(*back.to_json(), *json, "to_json is not a fixed point");
        assert_same_keys(&ks, &back);
        let count = ks.keys().count();
        match KeysetN::<0>::from_json(&text) {
            Ok(one) => {
                assert_eq!(count, 1);
                assert_same_keys(&ks, &one);
            }
            Err(e) => {
                assert!(count > 1);
                assert_eq!(e, KeysetFileError::TooManyKeys { capacity: 1 });
            }
        }
        // Its token keys survive the trip through Tink's format.
        let tink = ks.to_tink_json();
        let imported = Keyset::from_tink_json_with_rng(&tink, &mut CountingRng(0))
            .expect("to_tink_json output must import");
        assert_eq!(*imported.to_tink_json(), *tink);
        let number: PhoneNumber = "+442079460958".parse().expect("valid E.164");
        let token = ks.tokenize(&number, b"");
        assert_eq!(imported.detokenize(&token, b""), Ok(number));
    } else {
        // Rejected by the roomiest type: rejected by the smaller one too.
        assert!(KeysetN::<0>::from_json(&text).is_err());
    }
    let tink = Keyset::from_tink_json_with_rng(&text, &mut CountingRng(0));
    if let Ok(ks) = &tink {
        outcome = Outcome::Accepted;
        let json = ks.to_tink_json();
        let back = Keyset::from_tink_json_with_rng(&json, &mut CountingRng(0))
            .expect("to_tink_json output must import");
        assert_eq!(
            *back.to_tink_json(),
            *json,
            "to_tink_json is not a fixed point"
        );
        // Same generator, same keys: the whole keyset (pseudonym keys too) is equal.
        assert_same_keys(ks, &back);
        // And the phonetoken file of an imported keyset loads as the same keyset.
        let again = Keyset::from_json(&ks.to_json()).expect("to_json output must load");
        assert_same_keys(ks, &again);
    }
    // The operating system's generator only changes the pseudonym keys, never the verdict.
    let os = Keyset::from_tink_json(&text);
    match (&tink, &os) {
        (Ok(a), Ok(b)) => assert_eq!(*a.to_tink_json(), *b.to_tink_json()),
        (Err(a), Err(b)) => assert_eq!(a, b),
        _ => panic!("from_tink_json and from_tink_json_with_rng disagree on {text:?}"),
    }
    outcome
}

/// Tokenize then detokenize gives the number back, for any number `parse` accepts and any
/// context; pseudonyms and tokens are deterministic; a flipped token bit or another context
/// fails authentication; a purpose's keys give other pseudonyms and tokens.
///
/// Layout: a length byte and that many context bytes, a byte choosing the bit to flip, a
/// length byte and that many purpose bytes, then region and text as the parse targets read
/// them.
pub fn roundtrip_case(data: &[u8]) -> Outcome {
    let (context, rest) = take_prefixed(data, 300);
    let Some((&flip, rest)) = rest.split_first() else {
        return Outcome::Rejected;
    };
    let (purpose, rest) = take_prefixed(rest, 32);
    let (region, text) = region_and_text(rest);
    let Ok(number) = parse(&text, region) else {
        return Outcome::Rejected;
    };
    let keyset = fixed_keyset();

    // Pseudonyms: deterministic, and exactly HMAC-SHA256 of the E.164 bytes under the key.
    let pseudonym = keyset.pseudonymize(&number);
    assert_eq!(pseudonym, keyset.pseudonymize(&number));
    let direct = Pseudonymizer::new(&test_pseudonym_key(PRIMARY_ID)).expect("32 bytes");
    assert_eq!(
        pseudonym,
        direct.pseudonymize_bytes(number.as_str().as_bytes())
    );
    let all: Vec<_> = keyset.pseudonymize_all(&number).collect();
    assert_eq!(all.len(), 2, "two enabled keys");
    assert_eq!(all[0], (PRIMARY_ID, pseudonym));

    // Tokens: deterministic, the documented layout, and they open to the number.
    let token = keyset.tokenize(&number, context);
    assert_eq!(token, keyset.tokenize(&number, context));
    let bytes = token.as_bytes();
    assert_eq!(bytes.len(), 1 + 4 + 16 + number.as_str().len());
    assert_eq!(bytes[..5], [0x01, 0x01, 0x02, 0x03, 0x04]);
    assert_eq!(keyset.detokenize(&token, context), Ok(number));
    assert_eq!(
        keyset.detokenize_str(&token.to_string(), context),
        Ok(number)
    );
    for encoding in [Encoding::Base64, Encoding::Hex] {
        let mut buf = [0u8; 96];
        let text = token
            .encode_into(encoding, &mut buf)
            .expect("96 bytes suffice");
        assert_eq!(Token::decode(encoding, text), Ok(token));
    }
    assert_eq!(keyset.rekey(&token, context), Ok(token));

    // One flipped bit: refused. In the key id it names another key (or none); anywhere after
    // the prefix it fails authentication, with nothing else said.
    let mut tampered = [0u8; 42];
    let tampered = &mut tampered[..bytes.len()];
    tampered.copy_from_slice(bytes);
    let position = usize::from(flip) % bytes.len();
    tampered[position] ^= 1 << (flip % 8);
    match Token::from_bytes(tampered) {
        Err(e) => {
            assert_eq!(
                position, 0,
                "only the version byte is checked on reading: {e:?}"
            );
            assert!(matches!(e, TokenError::UnknownPrefix { .. }));
        }
        Ok(bad) => {
            let result = keyset.detokenize(&bad, context);
            if position >= 5 {
                assert_eq!(result, Err(TokenError::Authentication));
            } else {
                assert!(result.is_err(), "a token under a changed key id opened");
                check_opened(&bad, context, result);
            }
        }
    }

    // Another context: refused, as an authentication failure.
    let mut other = [0u8; 301];
    let other = &mut other[..context.len() + 1];
    other[..context.len()].copy_from_slice(context);
    other[context.len()] = flip;
    assert_eq!(
        keyset.detokenize(&token, other),
        Err(TokenError::Authentication)
    );
    if let Some(first) = context.first() {
        let mut changed = [0u8; 300];
        let changed = &mut changed[..context.len()];
        changed.copy_from_slice(context);
        changed[0] = first ^ (1 << (flip % 8));
        assert_eq!(
            keyset.detokenize(&token, changed),
            Err(TokenError::Authentication)
        );
    }

    // A purpose: other keys, so other pseudonyms and tokens, which the master keys cannot open.
    if let Ok(purpose) = core::str::from_utf8(purpose) {
        if let Ok(derived) = keyset.for_purpose(purpose) {
            assert_ne!(derived.pseudonymize(&number), pseudonym);
            let derived_token = derived.tokenize(&number, context);
            assert_ne!(derived_token, token);
            assert_eq!(derived.detokenize(&derived_token, context), Ok(number));
            assert_eq!(
                keyset.detokenize(&derived_token, context),
                Err(TokenError::Authentication)
            );
        } else {
            assert!(purpose.is_empty(), "a 1-32 byte purpose was refused");
        }
    }
    Outcome::Accepted
}

// ---------------------------------------------------------------------------------------------
// Seeds: inputs the library makes, so the fuzzers start from genuine tokens and keyset files.
// `tests/fuzz_regressions.rs` checks that the committed copies in `fuzz/seeds/` are current.
// ---------------------------------------------------------------------------------------------

/// Seeds for `detokenize`, as (file name, input): genuine tokens in every input form, tokens
/// of the disabled and of an unknown key, and near misses.
pub fn detokenize_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let numbers = [
        "+442079460958",
        "+14155552671",
        "+8613800138000",
        "+2470",
        "+999",
    ];
    let contexts: [&[u8]; 3] = [b"", b"sms-gateway", &[0xff; 40]];
    for (i, number) in numbers.iter().enumerate() {
        let Ok(number) = number.parse::<PhoneNumber>() else {
            continue;
        };
        for (j, context) in contexts.iter().enumerate() {
            for (k, id) in [PRIMARY_ID, OTHER_ID, DISABLED_ID, 0x1234_5678]
                .into_iter()
                .enumerate()
            {
                // The last id is one the keyset does not have (with the primary's key).
                let key = if k < 3 { id } else { PRIMARY_ID };
                let token = Tokenizer::new(id, &test_token_key(key))
                    .expect("64 bytes")
                    .tokenize(&number, context);
                let mut head = vec![0u8, context.len() as u8];
                head.extend_from_slice(context);
                let name = format!("n{i}-c{j}-k{k}");
                let mut bytes = head.clone();
                bytes.extend_from_slice(token.as_bytes());
                seeds.push((format!("{name}-bytes"), bytes));
                for (mode, encoding) in [
                    (1u8, Encoding::Base64Url),
                    (3, Encoding::Base64),
                    (5, Encoding::Hex),
                ] {
                    let mut buf = [0u8; 96];
                    let text = token
                        .encode_into(encoding, &mut buf)
                        .expect("96 bytes suffice");
                    let mut input = head.clone();
                    input[0] = mode;
                    input.extend_from_slice(text.as_bytes());
                    seeds.push((format!("{name}-text{mode}"), input));
                }
            }
        }
    }
    seeds
}

/// Seeds for `keyset_json`: keyset files and Tink exports of one to eight keys, with disabled
/// keys, and the same files with one field broken.
#[cfg(feature = "std")]
pub fn keyset_json_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    let mut ks = fixed_keyset();
    let mut id = 100;
    while ks.keys().count() < 8 {
        let one = KeysetN::<0>::new(
            id,
            PseudonymKey::from_bytes(&test_pseudonym_key(id)).expect("32 bytes"),
            TokenKey::from_bytes(&test_token_key(id)).expect("64 bytes"),
        );
        for (n, text) in [("phonetoken", one.to_json()), ("tink", one.to_tink_json())] {
            if id == 100 {
                seeds.push((format!("{n}-1"), text.as_bytes().to_vec()));
            }
        }
        let (p, t) = (
            PseudonymKey::from_bytes(&test_pseudonym_key(id)).expect("32 bytes"),
            TokenKey::from_bytes(&test_token_key(id)).expect("64 bytes"),
        );
        ks.add_key(id, KeyStatus::Disabled, p, t).expect("room");
        id += 1;
    }
    let full = ks.to_json();
    let tink = ks.to_tink_json();
    seeds.push(("phonetoken-8".into(), full.as_bytes().to_vec()));
    seeds.push(("tink-8".into(), tink.as_bytes().to_vec()));
    let broken = [
        (
            "phonetoken-disabled-primary",
            full.replacen("\"enabled\"", "\"disabled\"", 1),
        ),
        (
            "phonetoken-version-3",
            full.replacen("\"version\": 1", "\"version\": 3", 1),
        ),
        (
            "phonetoken-short-key",
            full.replacen("\", \"token_key\"", "AA\", \"token_key\"", 1),
        ),
        ("tink-raw-prefix", tink.replacen("\"TINK\"", "\"RAW\"", 1)),
        (
            "tink-destroyed",
            tink.replacen("\"ENABLED\"", "\"DESTROYED\"", 1),
        ),
        (
            "tink-version-1",
            tink.replacen("\"value\":\"", "\"value\":\"CAES", 1),
        ),
    ];
    for (name, text) in broken {
        seeds.push((name.into(), text.into_bytes()));
    }
    seeds
}

// ---------------------------------------------------------------------------------------------
// Encrypted keysets and master key files.
// ---------------------------------------------------------------------------------------------

#[cfg(feature = "std")]
use phonetoken::encrypted_keyset::{MasterKey, TinkAeadKey};

/// TEST KEY ONLY: the master key every encrypted-keyset input is opened with (a RAW
/// AES-256-GCM key of 32 bytes 0x42, as a Tink cleartext keyset).
#[cfg(feature = "std")]
pub fn fixed_master_key() -> TinkAeadKey {
    let value = Encoding::Base64.encode_string(&[&[0x1a, 32][..], &[0x42; 32]].concat());
    TinkAeadKey::from_tink_json(&format!(
        r#"{{"primaryKeyId": 5, "key": [{{"keyData": {{"typeUrl": "type.googleapis.com/google.crypto.tink.AesGcmKey", "value": "{value}", "keyMaterialType": "SYMMETRIC"}}, "status": "ENABLED", "keyId": 5, "outputPrefixType": "RAW"}}]}}"#
    ))
    .expect("a valid master key file")
}

/// Arbitrary input through the encrypted-keyset readers; the first byte picks which:
/// `0`, the rest as an encrypted keyset file opened with [`fixed_master_key`]; `1`, the rest
/// as the inner Tink `Keyset` protobuf, sealed with that key and then opened (so the
/// fuzzer reaches the protobuf reader, which it could not through random ciphertext);
/// anything else, the rest as a master key file. Never a panic; an accepted keyset seals
/// and opens again to the same keys, and its plain JSON loads to the same keys too.
#[cfg(feature = "std")]
pub fn encrypted_keyset_case(data: &[u8]) -> Outcome {
    let Some((&mode, rest)) = data.split_first() else {
        return Outcome::Rejected;
    };
    let master = fixed_master_key();
    let opened = match mode {
        0 => Keyset::from_encrypted_json(&String::from_utf8_lossy(rest), &master, b""),
        1 => {
            let sealed = master.encrypt(rest, b"").expect("AES-GCM seals any input");
            let file = format!(
                r#"{{"encryptedKeyset": "{}"}}"#,
                Encoding::Base64.encode_string(&sealed)
            );
            Keyset::from_encrypted_json(&file, &master, b"")
        }
        _ => {
            return match TinkAeadKey::from_tink_json(&String::from_utf8_lossy(rest)) {
                Ok(key) => {
                    let again = TinkAeadKey::from_tink_json(&key.to_tink_json())
                        .expect("to_tink_json output must load");
                    assert_eq!(*again.to_tink_json(), *key.to_tink_json());
                    let sealed = key.encrypt(b"plain", b"ad").expect("seal");
                    assert_eq!(
                        again.decrypt(&sealed, b"ad").expect("open").as_slice(),
                        b"plain"
                    );
                    Outcome::Accepted
                }
                Err(_) => Outcome::Rejected,
            }
        }
    };
    let Ok(ks) = opened else {
        return Outcome::Rejected;
    };
    match ks.to_encrypted_json(&master, b"") {
        Ok(sealed) => {
            let back = Keyset::from_encrypted_json(&sealed, &master, b"")
                .expect("to_encrypted_json output must open");
            assert_same_keys(&ks, &back);
        }
        // Complementary ids load (a Tink keyset may hold them) but cannot be written back.
        Err(e) => assert!(matches!(
            e,
            phonetoken::encrypted_keyset::EncryptedKeysetError::IdClash { .. }
        )),
    }
    let plain = Keyset::from_json(&ks.to_json()).expect("to_json output must load");
    assert_same_keys(&ks, &plain);
    Outcome::Accepted
}

/// Seeds for `encrypted_keyset`: the inner keyset of [`fixed_keyset`] and of a one-key
/// keyset, broken copies, master key files, and malformed encrypted files.
#[cfg(feature = "std")]
pub fn encrypted_keyset_seeds() -> Vec<(String, Vec<u8>)> {
    let master = fixed_master_key();
    let inner = |ks: &Keyset| -> Vec<u8> {
        // The file starts {"encryptedKeyset":"<base64>", …
        let sealed = ks.to_encrypted_json(&master, b"").expect("no clash");
        let field = sealed.split('"').nth(3).expect("the ciphertext field");
        let mut buf = vec![0u8; 4096];
        let ct = Encoding::Base64
            .decode_into(field, &mut buf)
            .expect("base64")
            .to_vec();
        master.decrypt(&ct, b"").expect("opens").to_vec()
    };
    let full = inner(&fixed_keyset());
    let one = inner(&Keyset::new(
        9,
        PseudonymKey::from_bytes(&test_pseudonym_key(9)).expect("32 bytes"),
        TokenKey::from_bytes(&test_token_key(9)).expect("64 bytes"),
    ));
    let mut seeds = vec![
        ("inner-3".to_string(), [&[1u8][..], &full].concat()),
        ("inner-1".to_string(), [&[1u8][..], &one].concat()),
        (
            "inner-truncated".to_string(),
            [&[1u8][..], &full[..full.len() / 2]].concat(),
        ),
        (
            "inner-unpaired".to_string(),
            [&[1u8][..], &one[..one.len() - 60]].concat(),
        ),
        (
            "master-key".to_string(),
            [&[2u8][..], fixed_master_key().to_tink_json().as_bytes()].concat(),
        ),
        (
            "encrypted-not-base64".to_string(),
            b"\x00{\"encryptedKeyset\": \"!!\"}".to_vec(),
        ),
        (
            "encrypted-empty".to_string(),
            b"\x00{\"encryptedKeyset\": \"\", \"keysetInfo\": {\"primaryKeyId\": 1}}".to_vec(),
        ),
    ];
    let mut dated = fixed_keyset();
    dated
        .set_created(PRIMARY_ID, Some(1_764_620_894))
        .expect("the primary's id");
    seeds.push((
        "inner-created".to_string(),
        [&[1u8][..], &inner(&dated)].concat(),
    ));
    let mut flipped = full.clone();
    flipped[3] ^= 0x08;
    seeds.push(("inner-flipped".to_string(), [&[1u8][..], &flipped].concat()));
    seeds
}

// ---------------------------------------------------------------------------------------------
// Oblivious pseudonyms (feature `oprf`): the decoders of requests, responses and public keys.

#[cfg(all(feature = "std", feature = "oprf"))]
use phonetoken::oprf::{
    max_request_len, max_response_len, Blinded, Client, Mode, ObliviousPseudonym, OprfError,
    PublicKey, Request, Response, Server, MAX_BATCH,
};

/// The key id of the fixed OPRF servers.
#[cfg(all(feature = "std", feature = "oprf"))]
pub const OPRF_KEY_ID: u32 = 7;

/// The fixed server of `mode` (a test key).
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_server(mode: Mode) -> Server {
    Server::derive(mode, OPRF_KEY_ID, &[0x5a; 32], b"fuzz").expect("a 32-byte seed derives")
}

/// The numbers of the fixed blinded batches.
#[cfg(all(feature = "std", feature = "oprf"))]
const OPRF_NUMBERS: [&str; 4] = [
    "+14155552671",
    "+442079460958",
    "+61491570156",
    "+33123456789",
];

/// A blinded batch of `count` (1 to 4) fixed numbers for the fixed server of `mode`, blinded
/// with a deterministic generator, and the request bytes.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_batch<'a>(
    mode: Mode,
    numbers: &'a [PhoneNumber],
    info: &'static [u8],
) -> (Blinded<'a, 4>, Vec<u8>) {
    let client = Client::new(&oprf_server(mode).public_key())
        .with_info(info)
        .expect("short info");
    let mut request = vec![0u8; max_request_len(mode, numbers.len(), info.len())];
    let (blinded, bytes) = client
        .blind::<_, _, 4>(numbers, &mut CountingRng(0), &mut request)
        .expect("1 to 4 numbers");
    let bytes = bytes.to_vec();
    (blinded, bytes)
}

#[cfg(all(feature = "std", feature = "oprf"))]
fn oprf_numbers(count: usize) -> Vec<PhoneNumber> {
    OPRF_NUMBERS[..count.clamp(1, 4)]
        .iter()
        .map(|n| n.parse().expect("valid"))
        .collect()
}

/// The genuine response of the fixed server to `request`.
#[cfg(all(feature = "std", feature = "oprf"))]
fn oprf_respond(mode: Mode, request: &[u8]) -> Vec<u8> {
    let request = Request::decode(request).expect("own request decodes");
    let mut out = vec![0u8; max_response_len(mode, MAX_BATCH)];
    let response = oprf_server(mode)
        .evaluate(&request, &mut CountingRng(100), &mut out)
        .expect("own request evaluates");
    response.to_vec()
}

/// `Request::decode`: a request it accepts has the length its header says, and the fixed
/// server of its mode evaluates it into a response that decodes with the same count (or
/// refuses it for its key id alone).
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_request_case(data: &[u8]) -> Outcome {
    let Ok(request) = Request::decode(data) else {
        return Outcome::Rejected;
    };
    assert_eq!(
        data.len(),
        max_request_len(request.mode(), request.len(), request.info().len())
    );
    assert!((1..=MAX_BATCH).contains(&request.len()));
    let mut out = vec![0u8; max_response_len(request.mode(), MAX_BATCH)];
    match oprf_server(request.mode()).evaluate(&request, &mut CountingRng(0), &mut out) {
        Ok(response) => {
            let response = Response::decode(response).expect("the server's response decodes");
            assert_eq!(
                (response.len(), response.key_id(), response.mode()),
                (request.len(), request.key_id(), request.mode())
            );
        }
        Err(OprfError::WrongKeyId { expected, found }) => {
            assert_eq!(expected, OPRF_KEY_ID);
            assert_eq!(found, request.key_id());
            assert_ne!(found, OPRF_KEY_ID);
        }
        Err(e) => panic!("a decoded request was refused: {e:?}"),
    }
    Outcome::Accepted
}

/// `Response::decode` and `finalize`: the response goes to the fixed batch of its mode and
/// count (byte 1 and byte 6, VOPRF and 2 when they are not one); with a proof only the genuine
/// response finalizes, and whatever finalizes gives the direct evaluation when its elements
/// are the genuine ones.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_response_case(data: &[u8]) -> Outcome {
    let decoded = Response::decode(data);
    let mode = data
        .get(1)
        .and_then(|&m| Mode::from_byte(m))
        .unwrap_or(Mode::Voprf);
    let count = data.get(6).map_or(2, |&c| usize::from(c));
    let numbers = oprf_numbers(if (1..=4).contains(&count) { count } else { 2 });
    let (blinded, request) = oprf_batch(mode, &numbers, b"");
    let genuine = oprf_respond(mode, &request);
    let mut out = [ObliviousPseudonym::default(); 4];
    let result = blinded.finalize(data, &mut out);
    if let Err(e) = decoded {
        assert_eq!(result, Err(e), "finalize reports the decoder's error");
    }
    match result {
        Ok(()) => {
            let same_elements = data[..data.len().min(7 + 32 * numbers.len())]
                == genuine[..genuine.len().min(7 + 32 * numbers.len())];
            if mode != Mode::Oprf {
                assert_eq!(data, &genuine[..], "only the genuine response verifies");
            }
            if same_elements {
                let server = oprf_server(mode);
                for (n, p) in numbers.iter().zip(&out) {
                    assert_eq!(*p, server.evaluate_number(n).expect("evaluates"));
                }
            }
            Outcome::Accepted
        }
        Err(_) => {
            assert!(out.iter().all(|p| *p == ObliviousPseudonym::default()));
            Outcome::Rejected
        }
    }
}

/// `PublicKey::from_bytes`: a key it accepts encodes back to the same bytes, and its hex text
/// decodes to it.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_public_key_case(data: &[u8]) -> Outcome {
    let Ok(key) = PublicKey::from_bytes(data) else {
        return Outcome::Rejected;
    };
    assert_eq!(&key.to_bytes()[..], data);
    assert_eq!(
        PublicKey::decode(phonetoken::Encoding::Hex, &key.to_string()),
        Ok(key)
    );
    Outcome::Accepted
}

/// Seeds for `oprf_request`: genuine requests in every mode and size, and broken ones.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_request_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        for count in [1, 4] {
            let info: &'static [u8] = if mode == Mode::Poprf { b"epoch-1" } else { b"" };
            let (_, request) = oprf_batch(mode, &oprf_numbers(count), info);
            let name = format!("m{}-n{count}", mode.to_byte());
            let mut identity = request.clone();
            let last = identity.len() - 32;
            identity[last..].fill(0);
            let mut top_bit = request.clone();
            *top_bit.last_mut().expect("element") |= 0x80;
            let mut other_id = request.clone();
            other_id[5] ^= 1;
            seeds.push((format!("{name}-identity"), identity));
            seeds.push((format!("{name}-top-bit"), top_bit));
            seeds.push((format!("{name}-other-key-id"), other_id));
            seeds.push((
                format!("{name}-short"),
                request[..request.len() - 1].to_vec(),
            ));
            seeds.push((name, request));
        }
    }
    seeds.push(("count-0".into(), vec![1, 1, 0, 0, 0, 7, 0]));
    seeds.push(("count-65".into(), vec![1, 1, 0, 0, 0, 7, 65]));
    seeds.push(("version-2".into(), vec![2, 1, 0, 0, 0, 7, 1]));
    seeds
}

/// Seeds for `oprf_response`: the genuine responses to the fixed batches, and near misses.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_response_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        for count in [1, 2, 4] {
            let (_, request) = oprf_batch(mode, &oprf_numbers(count), b"");
            let response = oprf_respond(mode, &request);
            let name = format!("m{}-n{count}", mode.to_byte());
            let mut flipped = response.clone();
            *flipped.last_mut().expect("bytes") ^= 0x01;
            let mut other_id = response.clone();
            other_id[2] ^= 0x80;
            seeds.push((format!("{name}-last-bit"), flipped));
            seeds.push((format!("{name}-other-key-id"), other_id));
            seeds.push((name, response));
        }
    }
    seeds
}

/// `Blinded::import` on arbitrary bytes against the fixed server of the mode byte: never a
/// panic; a state it accepts exports back to the same bytes, and finalizes the genuine
/// response of its request only when it is a state the client wrote.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_state_case(data: &[u8]) -> Outcome {
    let mode = data
        .get(1)
        .and_then(|&m| Mode::from_byte(m))
        .unwrap_or(Mode::Voprf);
    let Ok(blinded) = Blinded::<4>::import(&oprf_server(mode).public_key(), data) else {
        return Outcome::Rejected;
    };
    let mut again = vec![0u8; data.len()];
    let exported = blinded
        .export_into(&mut again)
        .expect("the same length fits");
    assert_eq!(
        exported, data,
        "an accepted state exports to the same bytes"
    );
    Outcome::Accepted
}

/// Seeds for `oprf_state`: the states of the fixed batches, and near misses.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_state_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        for count in [1, 4] {
            let info: &'static [u8] = if mode == Mode::Poprf { b"epoch-1" } else { b"" };
            let numbers = oprf_numbers(count);
            let (blinded, _) = oprf_batch(mode, &numbers, info);
            let mut state = vec![0u8; 1024];
            let state = blinded.export_into(&mut state).expect("fits").to_vec();
            let name = format!("m{}-n{count}", mode.to_byte());
            let mut flipped = state.clone();
            flipped[9] ^= 0x01;
            seeds.push((format!("{name}-blind-bit"), flipped));
            seeds.push((format!("{name}-cut"), state[..state.len() - 1].to_vec()));
            seeds.push((name, state));
        }
    }
    seeds
}

/// Seeds for `oprf_public_key`: the fixed servers' keys, and broken ones.
#[cfg(all(feature = "std", feature = "oprf"))]
pub fn oprf_public_key_seeds() -> Vec<(String, Vec<u8>)> {
    let mut seeds = Vec::new();
    for mode in [Mode::Oprf, Mode::Voprf, Mode::Poprf] {
        let key = oprf_server(mode).public_key().to_bytes().to_vec();
        let name = format!("m{}", mode.to_byte());
        let mut identity = key.clone();
        identity[6..].fill(0);
        let mut top_bit = key.clone();
        top_bit[37] |= 0x80;
        let mut mode_3 = key.clone();
        mode_3[1] = 3;
        seeds.push((format!("{name}-identity"), identity));
        seeds.push((format!("{name}-top-bit"), top_bit));
        seeds.push((format!("{name}-mode-3"), mode_3));
        seeds.push((name, key));
    }
    seeds
}

/// Splits sealed-number fuzz input into a mode byte, a context and an envelope. With bit 0 of
/// the mode set, the envelope is given a valid header (suite from bit 1, key id from bits 2–3)
/// and its suite's length, so that the input reaches the cryptography.
#[cfg(all(feature = "std", feature = "seal"))]
fn envelope_input(data: &[u8]) -> Option<(&[u8], Vec<u8>)> {
    use phonetoken::seal::{Suite, HEADER_LEN};
    let (&mode, rest) = data.split_first()?;
    let (context, body) = take_prefixed(rest, 64);
    let mut envelope = body.to_vec();
    if mode & 1 == 1 {
        let suite = Suite::ALL[usize::from(mode >> 1 & 1) % Suite::ALL.len()];
        let id = [PRIMARY_ID, OTHER_ID, DISABLED_ID, 0x1234_5678][usize::from(mode >> 2 & 3)];
        let (kem, kdf, aead) = suite.ids();
        let header = [
            &[1u8][..],
            &kem.to_be_bytes(),
            &kdf.to_be_bytes(),
            &aead.to_be_bytes(),
            &id.to_be_bytes(),
        ]
        .concat();
        envelope.resize(suite.envelope_len().max(HEADER_LEN), 0);
        envelope[..HEADER_LEN].copy_from_slice(&header);
    }
    Some((context, envelope))
}

/// `open_sealed` on arbitrary envelopes against [`fixed_keyset`]: never a panic; the public
/// checks name the right error; a success is a canonical number under an enabled key, and the
/// keyset and the key's own `SealKey` agree.
#[cfg(all(feature = "std", feature = "seal"))]
pub fn open_sealed_case(data: &[u8]) -> Outcome {
    use phonetoken::seal::{read_header, OpenError};
    let Some((context, envelope)) = envelope_input(data) else {
        return Outcome::Rejected;
    };
    let keyset = fixed_keyset();
    let result = keyset.open_sealed(&envelope, context);
    let header = read_header(&envelope);
    match header {
        Err(e) => assert_eq!(result, Err(e), "the keyset must report the header's error"),
        Ok(h) => {
            let by_key = keyset
                .seal_key(h.suite, h.key_id)
                .and_then(|k| k.open(&envelope, context));
            assert_eq!(result, by_key, "open_sealed and SealKey::open disagree");
            match h.key_id {
                PRIMARY_ID | OTHER_ID => {}
                DISABLED_ID => assert_eq!(result, Err(OpenError::KeyDisabled { key_id: h.key_id })),
                key_id => assert_eq!(result, Err(OpenError::UnknownKeyId { key_id })),
            }
        }
    }
    match result {
        Ok(number) => {
            assert_eq!(number.as_str().parse::<PhoneNumber>(), Ok(number));
            Outcome::Accepted
        }
        Err(_) => Outcome::Rejected,
    }
}

/// Seeds for the `open_sealed` target: genuine envelopes of every suite and key of
/// [`fixed_keyset`] (from a counting generator), and some spoilt ones.
#[cfg(all(feature = "std", feature = "seal"))]
pub fn open_sealed_seeds() -> Vec<(String, Vec<u8>)> {
    use phonetoken::seal::{SealKey, Suite, MAX_ENVELOPE_LEN};
    let mut seeds = Vec::new();
    let number: PhoneNumber = "+442079460958".parse().expect("canonical");
    for (s, &suite) in Suite::ALL.iter().enumerate() {
        for (k, id) in [PRIMARY_ID, OTHER_ID, DISABLED_ID].into_iter().enumerate() {
            let token_key = TokenKey::from_bytes(&test_token_key(id)).expect("64 bytes");
            let key = SealKey::derive(suite, id, &token_key);
            let mut buf = [0u8; MAX_ENVELOPE_LEN];
            let envelope = key
                .public_key()
                .seal(&number, b"ctx", &mut CountingRng(k as u8), &mut buf)
                .expect("buffer fits");
            let input = [&[0u8, 3][..], b"ctx", envelope].concat();
            seeds.push((format!("s{s}-k{k}"), input.clone()));
            let mut flipped = input;
            if let Some(last) = flipped.last_mut() {
                *last ^= 0x40;
            }
            seeds.push((format!("s{s}-k{k}-flipped"), flipped));
        }
    }
    seeds.push(("short".to_string(), vec![0, 0, 1, 0, 0x20]));
    seeds.push(("repaired".to_string(), vec![1, 0, 0xaa, 0xbb]));
    seeds
}

/// The number finder on any text: never a panic; matches in order, apart, on character
/// boundaries, each the parse of its own span (a valid number under VALID); and a search with
/// tries enough for every candidate never gives up. The first byte picks the leniency (its
/// low bit) and a `max_tries` (the rest: 0 to 127, or the default at 127).
#[cfg(feature = "find")]
pub fn find_case(data: &[u8]) {
    use phonetoken::{find_numbers, parse_with_extension, Leniency};

    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let leniency = if mode & 1 == 0 {
        Leniency::Valid
    } else {
        Leniency::Possible
    };
    let tries = match u32::from(mode >> 1) {
        127 => phonetoken::find::DEFAULT_MAX_TRIES,
        n => n,
    };
    let (region, text) = region_and_text(rest);
    let mut found = find_numbers(&text, region)
        .leniency(leniency)
        .max_tries(tries);
    let mut last_end = 0;
    let mut count = 0;
    for m in &mut found {
        assert!(
            m.start() >= last_end && m.start() < m.end(),
            "{text:?}: {:?}",
            m.range()
        );
        assert_eq!(text.get(m.range()), Some(m.as_str()));
        let (number, extension) = parse_with_extension(m.as_str(), region)
            .unwrap_or_else(|e| panic!("{text:?}: span {:?} does not parse: {e}", m.as_str()));
        assert_eq!(number, m.number(), "{text:?}");
        if leniency == Leniency::Valid {
            assert!(number.is_valid(), "{text:?}: {number} is not valid");
            assert_eq!(extension, m.extension(), "{text:?}");
        }
        last_end = m.end();
        count += 1;
    }
    // Text of at most 512 bytes has fewer candidates than the default tries.
    if tries == phonetoken::find::DEFAULT_MAX_TRIES {
        assert!(!found.gave_up(), "{text:?}");
    }
    if !found.gave_up() {
        // Giving up aside, fewer tries never find more.
        let fewer = find_numbers(&text, region)
            .leniency(leniency)
            .max_tries(tries / 2)
            .count();
        assert!(fewer <= count, "{text:?}");
    }
}
