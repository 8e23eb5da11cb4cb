//! The two texts the number finder is timed on (`benches/find.rs`), generated here so that no
//! file is needed and every run, and `tools/bench/find_python.py` through the `find_corpus`
//! example, sees the same bytes.
//!
//! - [`chat`]: about 256 KiB of short chat messages in ten languages, a phone number in one
//!   of many written forms every few hundred bytes, among dates, prices, times, order and
//!   ticket numbers. National forms are written for region US, the region the bench uses.
//! - [`log`]: about 256 KiB of service log lines (time stamps, IP addresses and ports, hex
//!   ids, durations, sizes, offsets, status codes) with no phone number in it: the case of a
//!   scanner run over text that holds none.
#![allow(dead_code)]

/// The size both corpora reach (they stop at the first line at or past it).
pub const TARGET_BYTES: usize = 256 * 1024;

/// The region national numbers of the chat corpus are written for.
pub const REGION: &str = "US";

/// A small deterministic generator (SplitMix64): the corpora must not depend on a crate's
/// version of a random generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0; the bias of the modulo does not matter here).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Area codes in service, so that most US numbers are valid (the `Valid` leniency finds them).
const AREA_CODES: &[u64] = &[
    201, 202, 206, 212, 213, 214, 305, 310, 312, 404, 415, 503, 512, 602, 617, 646, 650, 702, 713,
    718, 773, 808, 818, 917, 949,
];

/// One phone number, written one of the ways people write them in messages.
fn phone(rng: &mut Rng) -> String {
    let area = AREA_CODES[rng.below(AREA_CODES.len() as u64) as usize];
    let exchange = rng.range(200, 999);
    let line = rng.below(10_000);
    match rng.below(24) {
        0 | 1 => format!("({area}) {exchange}-{line:04}"),
        2 | 3 => format!("{area}-{exchange}-{line:04}"),
        4 => format!("{area}.{exchange}.{line:04}"),
        5 | 6 => format!("+1 {area} {exchange} {line:04}"),
        7 => format!("+1-{area}-{exchange}-{line:04}"),
        8 => format!("1 ({area}) {exchange}-{line:04}"),
        9 => format!("{area}{exchange}{line:04}"),
        10 => format!("({area}) {exchange}-{line:04} ext. {}", rng.range(10, 9999)),
        11 => format!("tel:+1{area}{exchange}{line:04}"),
        12 => format!("+44 20 {} {line:04}", rng.range(7000, 8999)),
        13 => format!("+44 7700 {:06}", rng.range(900_000, 900_999)),
        14 => format!("011 44 20 {} {line:04}", rng.range(7000, 8999)),
        15 => format!("+49 30 {}", rng.range(1_000_000, 99_999_999)),
        16 => format!("+49 (0)89 {}", rng.range(1_000_000, 9_999_999)),
        17 => format!(
            "+33 1 {:02} {:02} {:02} {:02}",
            rng.range(40, 79),
            rng.below(100),
            rng.below(100),
            rng.below(100)
        ),
        18 => format!(
            "+34 91{} {:02} {:02} {:02}",
            rng.below(10),
            rng.below(100),
            rng.below(100),
            rng.below(100)
        ),
        19 => format!(
            "+7 495 {:03}-{:02}-{:02}",
            rng.range(100, 999),
            rng.below(100),
            rng.below(100)
        ),
        20 => format!("+81 3-{:04}-{line:04}", rng.range(1000, 9999)),
        21 => format!("+55 11 9{:04}-{line:04}", rng.range(1000, 9999)),
        22 => format!("+91 98{:03} {:05}", rng.below(1000), rng.below(100_000)),
        // Full-width digits, as some keyboards type them.
        _ => format!("＋１ ({area}) {exchange}-{line:04}")
            .chars()
            .map(|c| match c {
                '0'..='9' => char::from_u32(u32::from(c) - u32::from('0') + 0xff10).unwrap_or(c),
                _ => c,
            })
            .collect(),
    }
}

fn date(rng: &mut Rng) -> String {
    let (d, m, y) = (rng.range(1, 28), rng.range(1, 12), rng.range(2019, 2026));
    match rng.below(5) {
        0 => format!("{m}/{d}/{y}"),
        1 => format!("{y}-{m:02}-{d:02}"),
        2 => format!("{d:02}.{m:02}.{y}"),
        3 => format!("{d}/{m}"),
        _ => format!("{d}. {m}. {y}"),
    }
}

fn money(rng: &mut Rng) -> String {
    let units = rng.range(1, 2500);
    let cents = rng.below(100);
    match rng.below(6) {
        0 => format!("${units}.{cents:02}"),
        1 => format!("€{units},{cents:02}"),
        2 => format!("£ {units}.{cents:02}"),
        3 => format!("{},{:03} ₽", units / 10 + 1, rng.below(1000)),
        4 => format!("¥{},{:03}", units % 99 + 1, rng.below(1000)),
        _ => format!("R$ {units},{cents:02}"),
    }
}

fn order(rng: &mut Rng) -> String {
    match rng.below(5) {
        0 => format!("#{}", rng.range(10_000, 99_999)),
        1 => format!("{}", rng.range(1_000_000, 9_999_999)),
        2 => format!(
            "A-{}-{:04}",
            rng.range(20_190_101, 20_261_231),
            rng.below(10_000)
        ),
        3 => format!("{}/{:04}", rng.range(2019, 2026), rng.below(10_000)),
        _ => format!("INV-{:09}", rng.below(1_000_000_000)),
    }
}

fn time(rng: &mut Rng) -> String {
    format!("{}:{:02}", rng.range(7, 22), rng.below(60))
}

/// Chat messages: `{p}` a phone number, `{d}` a date, `{m}` a price, `{o}` an order number,
/// `{t}` a time of day.
const WITH_NUMBER: &[&str] = &[
    "call me at {p} after {t}",
    "the new office line is {p}, old one is gone",
    "my cell: {p} (whatsapp too)",
    "Ruf mich an unter {p}, ich bin bis {t} im Büro",
    "Neue Nummer: {p} – bitte speichern!",
    "Tu peux m'appeler au {p} demain après {t}",
    "numéro du livreur : {p}, commande {o}",
    "Llámame al {p} cuando llegues",
    "Meu número novo é {p}, pedido {o} chegou",
    "Позвони мне по номеру {p} после {t}",
    "電話番号は {p} です。{d} に来てください",
    "Beni {p} numarasından arayabilirsin",
    "Zadzwoń pod {p}, faktura {o} na {m}",
    "Chiamami al {p} entro le {t}",
    "support said to dial {p} and quote ticket {o}",
    "fax {p} or email, whichever is easier",
];

const WITHOUT_NUMBER: &[&str] = &[
    "ok see you at {t}",
    "order {o} shipped on {d}, total {m}",
    "lol no way 😂",
    "meeting moved to {d} at {t}",
    "Die Rechnung {o} über {m} ist am {d} fällig",
    "Danke, bis morgen!",
    "Le colis {o} arrive le {d}, ça coûte {m}",
    "ça marche 👍",
    "El vuelo sale el {d} a las {t}, billete {m}",
    "O boleto {o} vence em {d}",
    "Спасибо, всё получил. Заказ {o} на {m}",
    "了解です、{t} に駅で",
    "Toplantı {d} tarihinde, saat {t}",
    "Zamówienie {o} dostarczone {d}",
    "Ci vediamo il {d} alle {t}, costa {m}",
    "can you send the invoice {o}? it was {m} I think",
    "version 2.14.3 is out, 35% faster 🎉",
    "room 4012, floor 3, badge 88231",
    "we're at table 12, 3 of us",
];

const NAMES: &[&str] = &[
    "alice",
    "Bob",
    "Jürgen",
    "Amélie",
    "José",
    "Ольга",
    "さくら",
    "Mehmet",
    "Zofia",
    "Luca",
];

fn fill(template: &str, rng: &mut Rng, out: &mut String) {
    let mut rest = template;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let key = &rest[at + 1..at + 2];
        match key {
            "p" => out.push_str(&phone(rng)),
            "d" => out.push_str(&date(rng)),
            "m" => out.push_str(&money(rng)),
            "o" => out.push_str(&order(rng)),
            _ => out.push_str(&time(rng)),
        }
        rest = &rest[at + 3..];
    }
    out.push_str(rest);
}

/// The chat-like corpus: about [`TARGET_BYTES`] of messages, one in three with a number.
pub fn chat() -> String {
    let mut rng = Rng(0x5eed_c4a7);
    let mut out = String::with_capacity(TARGET_BYTES + 256);
    while out.len() < TARGET_BYTES {
        let (h, m) = (rng.range(7, 23), rng.below(60));
        let name = rng.pick(NAMES);
        out.push_str(&format!("[{h:02}:{m:02}] {name}: "));
        let template = if rng.below(3) == 0 {
            rng.pick(WITH_NUMBER)
        } else {
            rng.pick(WITHOUT_NUMBER)
        };
        fill(template, &mut rng, &mut out);
        out.push('\n');
    }
    out
}

/// A hex id whose runs of decimal digits stay under five (a longer run, or two joined by
/// punctuation, can be a possible number).
fn hex(rng: &mut Rng, len: usize) -> String {
    let mut digits = 0;
    (0..len)
        .map(|_| {
            let c = if digits == 4 {
                b"abcdef"[rng.below(6) as usize]
            } else {
                b"0123456789abcdef"[rng.below(16) as usize]
            };
            digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
            char::from(c)
        })
        .collect()
}

/// A private address with nine digits in all: too many for a local number, too few for a
/// national one.
fn ip(rng: &mut Rng) -> String {
    match rng.below(3) {
        0 => format!(
            "10.{}.{}.{}",
            rng.range(10, 99),
            rng.range(100, 254),
            rng.range(10, 99)
        ),
        1 => format!("172.16.{}.{}", rng.range(10, 99), rng.range(10, 99)),
        _ => format!("192.168.{}.{}", rng.below(10), rng.range(10, 99)),
    }
}

/// The log-like corpus: about [`TARGET_BYTES`] of log lines, no phone number.
pub fn log() -> String {
    let mut rng = Rng(0x10c5_0b5e);
    let mut out = String::with_capacity(TARGET_BYTES + 256);
    let services = ["api", "worker", "auth", "billing", "search", "gateway"];
    let levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
    let methods = ["GET", "GET", "POST", "PUT", "DELETE"];
    let resources = ["orders", "users", "items", "sessions", "invoices"];
    let mut second = 0u64;
    while out.len() < TARGET_BYTES {
        second += rng.below(3);
        let millis = rng.below(1000);
        let (h, m, s) = (8 + second / 3600 % 14, second / 60 % 60, second % 60);
        let level = rng.pick(&levels);
        let service = rng.pick(&services);
        out.push_str(&format!(
            "2024-05-13T{h:02}:{m:02}:{s:02}.{millis:03}Z {level:<5} [{service}-{}] ",
            rng.below(8)
        ));
        let line = match rng.below(6) {
            0 | 1 => format!(
                "{} /api/v{}/{}/{} status={} time={}.{}ms client={}:{} req={} bytes={}",
                rng.pick(&methods),
                rng.range(1, 3),
                rng.pick(&resources),
                rng.range(1, 99_999),
                [200, 200, 201, 204, 304, 404, 500][rng.below(7) as usize],
                rng.below(900),
                rng.below(10),
                ip(&mut rng),
                rng.range(1024, 65_535),
                hex(&mut rng, 12),
                rng.below(999_999)
            ),
            2 => format!(
                "pool active={} idle={} max=64 wait={}ms",
                rng.below(64),
                rng.below(64),
                rng.below(5000)
            ),
            3 => format!(
                "gc pause {}.{:03}ms heap {}MB -> {}MB",
                rng.below(200),
                rng.below(1000),
                rng.range(512, 4096),
                rng.range(256, 2048)
            ),
            4 => format!(
                "retry {}/5 after {}ms: upstream {}:{} timeout (trace {}:{})",
                rng.range(1, 5),
                rng.below(30_000),
                ip(&mut rng),
                rng.range(1024, 65_535),
                hex(&mut rng, 8),
                hex(&mut rng, 4)
            ),
            _ => format!(
                "consumer lag partition={} offset={} commit=0x{} took {}us",
                rng.below(32),
                rng.range(20_000_000, 99_999_999),
                hex(&mut rng, 8),
                rng.below(100_000)
            ),
        };
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// A match as both engines report it: byte range in the text and the number in E.164.
pub type Found = (usize, usize, String);

/// phonetoken's matches in `text` at `leniency` (`"possible"` or `"valid"`), for region
/// [`REGION`].
pub fn ours(text: &str, leniency: phonetoken::Leniency) -> Vec<Found> {
    let region = REGION.parse().ok();
    phonetoken::find_numbers(text, region)
        .leniency(leniency)
        .map(|m| (m.start(), m.end(), m.number().to_string()))
        .collect()
}

/// rlibphonenumber's matches in `text`, with the same region and maxTries as [`ours`].
pub fn theirs(text: &str, leniency: rlibphonenumber::phonenumber_matcher::Leniency) -> Vec<Found> {
    let util = &*rlibphonenumber::PHONE_NUMBER_UTIL;
    rlibphonenumber::phonenumber_matcher::PHONE_MATCHER_FACTORY
        .create_matcher(text, leniency, MAX_TRIES, REGION.parse().ok())
        .map(|m| {
            let e164 = util.format(&m.number, rlibphonenumber::PhoneNumberFormat::E164);
            (m.start, m.end(), e164.into_owned())
        })
        .collect()
}

/// libphonenumber's default maxTries, phonetoken's too.
pub const MAX_TRIES: u64 = phonetoken::find::DEFAULT_MAX_TRIES as u64;

/// The leniencies both engines offer, by name.
pub const LENIENCIES: [(
    &str,
    phonetoken::Leniency,
    rlibphonenumber::phonenumber_matcher::Leniency,
); 2] = [
    (
        "possible",
        phonetoken::Leniency::Possible,
        rlibphonenumber::phonenumber_matcher::Leniency::Possible,
    ),
    (
        "valid",
        phonetoken::Leniency::Valid,
        rlibphonenumber::phonenumber_matcher::Leniency::Valid,
    ),
];

/// The corpus of that name (`chat` or `log`).
pub fn by_name(name: &str) -> Option<String> {
    match name {
        "chat" => Some(chat()),
        "log" => Some(log()),
        _ => None,
    }
}
