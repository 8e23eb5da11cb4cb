//! Developer tasks for phonetoken.
//!
//! ```text
//! cargo xtask metadata [--xml PATH] [--out PATH] [--check] [--dump-json]
//! ```
//!
//! `metadata` reads libphonenumber's `PhoneNumberMetadata.xml` (by default the copy committed
//! at `data/libphonenumber/PhoneNumberMetadata.xml`, taken from libphonenumber's
//! `resources/` directory at the release named in `LIBPHONENUMBER_VERSION`) and writes
//! `src/metadata/generated.rs` (or the file `--out` names) and, beside it, the number types'
//! automata it includes (`generated_types.bin`: `<stem>_types.bin`). `--check` writes nothing
//! and fails if either committed file is not what the XML generates (CI runs it). `--dump-json` prints the extracted values instead,
//! for `tools/check_metadata.py` to compare against the Python port of libphonenumber.

mod dfa;
mod metadata;
mod pattern;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use sha2::{Digest, Sha256};

/// The libphonenumber release the committed XML comes from.
const LIBPHONENUMBER_VERSION: &str = "9.0.35";
const DEFAULT_XML: &str = "data/libphonenumber/PhoneNumberMetadata.xml";
const OUTPUT: &str = "src/metadata/generated.rs";

const USAGE: &str = "\
usage: cargo xtask metadata [--xml PATH] [--out PATH] [--check] [--dump-json]

  Generates src/metadata/generated.rs from libphonenumber's PhoneNumberMetadata.xml
  (default: data/libphonenumber/PhoneNumberMetadata.xml, from libphonenumber's
  resources/ directory, release 9.0.35).

  --xml PATH    read this copy of the XML instead
  --out PATH    write (or check) this file instead of src/metadata/generated.rs (and
                its automata, <stem>_types.bin, beside it)
  --check       generate in memory; fail if the committed file differs
  --dump-json   print the extracted values as JSON (for tools/check_metadata.py)
";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<ExitCode, String> {
    let mut args = std::env::args().skip(1);
    let task = args.next();
    if task.as_deref() != Some("metadata") {
        eprint!("{USAGE}");
        return Ok(ExitCode::from(2));
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("xtask has no parent directory")?
        .to_path_buf();
    let mut xml_path = root.join(DEFAULT_XML);
    let mut out = root.join(OUTPUT);
    let (mut check, mut dump) = (false, false);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--xml" => xml_path = PathBuf::from(args.next().ok_or("--xml needs a path")?),
            "--out" => out = PathBuf::from(args.next().ok_or("--out needs a path")?),
            "--check" => check = true,
            "--dump-json" => dump = true,
            "-h" | "--help" => {
                print!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            other => return Err(format!("unknown argument {other:?}\n{USAGE}")),
        }
    }
    let xml = std::fs::read_to_string(&xml_path)
        .map_err(|e| format!("reading {}: {e}", xml_path.display()))?;
    let territories = metadata::parse(&xml)?;
    if dump {
        print!("{}", dump_json(&territories));
        return Ok(ExitCode::SUCCESS);
    }
    let sha = Sha256::digest(xml.as_bytes())
        .iter()
        .fold(String::new(), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        });
    let automata_path = out.with_file_name(format!(
        "{}_types.bin",
        out.file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or("generated")
    ));
    let automata_name = automata_path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or("the output needs a file name")?
        .to_owned();
    let (source, automata) = generate_with(
        &territories,
        &source_name(&root, &xml_path),
        &sha,
        &automata_name,
    )?;
    let source = rustfmt(&source)?;
    let out_name = source_name(&root, &out);
    let automata_out = source_name(&root, &automata_path);
    if check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        let current_automata = std::fs::read(&automata_path).unwrap_or_default();
        if current != source || current_automata != automata {
            eprintln!(
                "xtask: {out_name} or {automata_out} is stale: it differs from what {} \
                 generates.\n\
                 Run `cargo xtask metadata` (with the same --xml and --out) and commit the \
                 result.",
                xml_path.display()
            );
            return Ok(ExitCode::FAILURE);
        }
        eprintln!("xtask: {out_name} and {automata_out} are up to date");
    } else {
        std::fs::write(&out, source).map_err(|e| format!("writing {}: {e}", out.display()))?;
        std::fs::write(&automata_path, automata)
            .map_err(|e| format!("writing {}: {e}", automata_path.display()))?;
        eprintln!("xtask: wrote {out_name} and {automata_out}");
    }
    Ok(ExitCode::SUCCESS)
}

/// How the generated header names a file: its path from the repository root when it lies
/// inside the repository, else the path as given when that is relative, else its file name
/// alone, so no machine's directory layout ends up in a committed file.
fn source_name(root: &Path, path: &Path) -> String {
    let inside = std::fs::canonicalize(root).ok().and_then(|root| {
        // The output may not exist yet: canonicalize its directory.
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = std::fs::canonicalize(dir.unwrap_or(Path::new("."))).ok()?;
        let rel = dir.strip_prefix(&root).ok()?.join(path.file_name()?);
        Some(rel)
    });
    let shown = match inside {
        Some(rel) => rel,
        None if path.is_relative() => path.to_path_buf(),
        None => PathBuf::from(path.file_name().unwrap_or(path.as_os_str())),
    };
    shown
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn rustfmt(source: &str) -> Result<String, String> {
    let mut child = Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    child
        .stdin
        .take()
        .ok_or("rustfmt stdin")?
        .write_all(source.as_bytes())
        .map_err(|e| format!("writing to rustfmt: {e}"))?;
    let output = child
        .wait_with_output()
        .map_err(|e| format!("running rustfmt: {e}"))?;
    if !output.status.success() {
        return Err("rustfmt failed on the generated source".into());
    }
    String::from_utf8(output.stdout).map_err(|e| e.to_string())
}

/// Deduplicating pool of compiled patterns.
struct Pool {
    bytes: Vec<u8>,
    offsets: BTreeMap<String, u16>,
    max_groups: u8,
    max_memo_bits: usize,
    max_stack: u8,
}

impl Pool {
    fn new() -> Pool {
        Pool {
            // Offset 0 is never a pattern, so a pattern's offset is never zero (it is stored
            // in a `NonZeroU16`, which makes `Option<Pattern>` two bytes).
            bytes: vec![0],
            offsets: BTreeMap::new(),
            max_groups: 0,
            max_memo_bits: 0,
            max_stack: 0,
        }
    }

    fn add(&mut self, pattern: &str, territory: &str) -> Result<String, String> {
        if let Some(&offset) = self.offsets.get(pattern) {
            return Ok(format!("Some(Pattern::at({offset}))"));
        }
        let compiled =
            pattern::compile(pattern).map_err(|e| format!("territory {territory}: {e}"))?;
        let offset = u16::try_from(self.bytes.len()).map_err(|_| "pattern pool over 64 KiB")?;
        self.bytes.extend_from_slice(&compiled.bytes);
        self.offsets.insert(pattern.to_owned(), offset);
        self.max_groups = self.max_groups.max(compiled.groups);
        self.max_stack = self.max_stack.max(compiled.stack);
        self.max_memo_bits = self
            .max_memo_bits
            .max(usize::from(compiled.choices) * (usize::from(compiled.max_len) + 1));
        Ok(format!("Some(Pattern::at({offset}))"))
    }

    fn add_opt(&mut self, pattern: Option<&str>, territory: &str) -> Result<String, String> {
        match pattern {
            Some(p) => self.add(p, territory),
            None => Ok("None".into()),
        }
    }
}

fn region(id: &str) -> Result<String, String> {
    if id.len() == 2 && id.bytes().all(|b| b.is_ascii_uppercase()) {
        Ok(format!("Region::new_unchecked(*b\"{id}\")"))
    } else {
        Err(format!("bad region id {id:?}"))
    }
}

fn mask(lengths: &std::collections::BTreeSet<u8>) -> u32 {
    lengths.iter().fold(0, |m, &n| m | (1 << n))
}

fn check_transform_rule(rule: &str, id: &str) -> Result<(), String> {
    let mut bytes = rule.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'0'..=b'9' => {}
            b'$' if bytes.next().is_some_and(|d| (b'1'..=b'9').contains(&d)) => {}
            _ => {
                return Err(format!(
                    "territory {id}: unsupported transform rule {rule:?}"
                ))
            }
        }
    }
    Ok(())
}

/// [`generate_with`] with the automata file named `types.bin`, the source alone (for the
/// tests).
#[cfg(test)]
fn generate(
    territories: &[metadata::Territory],
    xml_name: &str,
    sha: &str,
) -> Result<String, String> {
    generate_with(territories, xml_name, sha, "types.bin").map(|(source, _)| source)
}

/// The generated source, and the number types' automata it includes from the file
/// `automata_name` beside it.
fn generate_with(
    territories: &[metadata::Territory],
    xml_name: &str,
    sha: &str,
    automata_name: &str,
) -> Result<(String, Vec<u8>), String> {
    let mut pool = Pool::new();
    let mut out = String::new();
    let w = &mut out;
    let _ = writeln!(
        w,
        "// DO NOT EDIT THIS FILE. IT WAS GENERATED BY `cargo xtask metadata`.\n\
         //\n\
         // Source: {xml_name} (libphonenumber {LIBPHONENUMBER_VERSION}),\n\
         // SHA-256 {sha}.\n\
         //\n\
         // Derived from libphonenumber's metadata, Copyright (C) 2009 The Libphonenumber Authors,\n\
         // licensed under the Apache License, Version 2.0; see data/libphonenumber/LICENSE.\n\
         \n\
         use super::matcher::Pattern;\n\
         #[cfg(feature = \"validate\")]\n\
         use super::TypeTable;\n\
         #[cfg(feature = \"format\")]\n\
         use super::{{FormatCode, NumberFormat}};\n\
         use super::{{CountryCodeEntry, Territory}};\n\
         use crate::number::Region;\n\
         \n\
         pub(super) const LIBPHONENUMBER_VERSION: &str = \"{LIBPHONENUMBER_VERSION}\";\n\
         \n\
         /// SHA-256 of the XML the tables were generated from.\n\
         #[allow(dead_code)]\n\
         pub(super) const XML_SHA256: &str = \"{sha}\";\n"
    );

    // Territory indices take the narrowest type that numbers every territory: a byte for
    // today's 254, so the tables that hold them stay small without refusing a longer list.
    let index_type = if territories.len() <= 256 {
        "u8"
    } else if territories.len() <= 1 << 16 {
        "u16"
    } else {
        return Err("more than 65,536 territories".into());
    };
    let _ = writeln!(
        w,
        "/// An index into `TERRITORIES`.\n\
         pub(super) type TerritoryIndex = {index_type};\n"
    );

    // Territories, in XML order.
    let codes = country_codes(territories);
    // Transform rules are few and short: each is stored once and a territory holds a byte
    // (one more than its index, 0 for none) instead of an 8-byte `Option<&str>`.
    let mut rules: Vec<&str> = Vec::new();
    let _ = writeln!(w, "pub(super) static TERRITORIES: &[Territory] = &[");
    for t in territories {
        let main = codes
            .get(&t.country_code)
            .and_then(|list| list.first())
            .ok_or_else(|| format!("{}: no main territory for its calling code", t.id))?;
        let region = if t.id == "001" {
            "None".to_owned()
        } else {
            format!("Some({})", region(&t.id)?)
        };
        let ip = pool.add_opt(t.international_prefix.as_deref(), &t.id)?;
        let npp = pool.add_opt(t.national_prefix_for_parsing.as_deref(), &t.id)?;
        let gd = pool.add_opt(t.general_desc.as_deref(), &t.id)?;
        let rule = match &t.national_prefix_transform_rule {
            Some(r) => {
                check_transform_rule(r, &t.id)?;
                let index = match rules.iter().position(|known| known == r) {
                    Some(i) => i,
                    None => {
                        rules.push(r);
                        rules.len() - 1
                    }
                };
                u8::try_from(index + 1)
                    .map_err(|_| "more than 255 distinct transform rules".to_owned())?
            }
            None => 0,
        };
        let local_only = u16::try_from(mask(&t.local_only_lengths)).map_err(|_| {
            format!(
                "territory {}: a local-only length of 16 digits or more",
                t.id
            )
        })?;
        let _ = writeln!(
            w,
            "    // {id}\n    Territory {{ region: {region}, country_code: {cc}, \
             international_prefix: {ip}, national_prefix_for_parsing: {npp}, \
             transform_rule: {rule}, general_desc: {gd}, \
             possible_lengths: {pl:#010x}, local_only_lengths: {local_only:#06x}, \
             main_territory: {main} }},",
            id = t.id,
            cc = t.country_code,
            pl = mask(&t.possible_lengths),
        );
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// The distinct `nationalPrefixTransformRule`s; `Territory::transform_rule` is one\n\
         /// more than an index here.\n\
         pub(super) static TRANSFORM_RULES: &[&str] = &["
    );
    for r in &rules {
        let _ = writeln!(w, "    {r:?},");
    }
    let _ = writeln!(w, "];\n");

    // Regions, sorted, with their territory index.
    let mut regions: Vec<(&str, usize)> = territories
        .iter()
        .enumerate()
        .filter(|(_, t)| t.id != "001")
        .map(|(i, t)| (t.id.as_str(), i))
        .collect();
    regions.sort();
    if regions.windows(2).any(|w| w[0].0 == w[1].0) {
        return Err("a region appears twice".into());
    }
    let _ = writeln!(w, "pub(super) static REGIONS: &[Region] = &[");
    for (id, _) in &regions {
        let _ = writeln!(w, "    {},", region(id)?);
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// `REGION_TERRITORY[i]` is the index in `TERRITORIES` of `REGIONS[i]`.\n\
         pub(super) static REGION_TERRITORY: &[{index_type}] = &["
    );
    for (_, i) in &regions {
        let _ = write!(w, "{i}, ");
    }
    let _ = writeln!(w, "];\n");

    // Calling codes: libphonenumber lists the main country first, then the others in XML
    // order.
    // Each code's regions are a run of one shared list: a start and a length in the entry
    // instead of an 8-byte slice reference.
    let mut code_regions: Vec<String> = Vec::new();
    let _ = writeln!(
        w,
        "pub(super) static COUNTRY_CODES: &[CountryCodeEntry] = &["
    );
    for (code, list) in &codes {
        let ids: Vec<&str> = list.iter().map(|&i| territories[i].id.as_str()).collect();
        // A code shared with no `mainCountryForCode` is led by its first territory in file
        // order, as libphonenumber's metadata builder does (GB and GG for +44 in its test
        // metadata). A non-geographic entity has no region to list, so it cannot share.
        if ids.len() > 1 && ids.contains(&"001") {
            return Err(format!(
                "calling code {code}: a non-geographic entity shares it with a region"
            ));
        }
        let start = code_regions.len();
        if ids != ["001"] {
            for id in &ids {
                code_regions.push(region(id)?);
            }
        }
        let start = u16::try_from(start).map_err(|_| "too many regions".to_owned())?;
        let len = u8::try_from(code_regions.len() - usize::from(start))
            .map_err(|_| format!("calling code {code}: more than 255 regions"))?;
        let _ = writeln!(
            w,
            "    CountryCodeEntry {{ code: {code}, main_territory: {}, regions_start: {start}, \
             regions_len: {len} }},",
            list[0]
        );
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// The regions of every calling code, main one first, in the order of `COUNTRY_CODES`.\n\
         pub(super) static CODE_REGIONS: &[Region] = &["
    );
    for r in &code_regions {
        let _ = writeln!(w, "    {r},");
    }
    let _ = writeln!(w, "];\n");

    let memo_words = pool.max_memo_bits.div_ceil(64).max(1);
    let _ = writeln!(
        w,
        "/// Most capture groups in any pattern.\n\
         pub(super) const MAX_GROUPS: usize = {};\n\
         /// Words of the matcher's visited-state bitset: enough for every pattern's choice\n\
         /// points times its positions.\n\
         pub(super) const MEMO_WORDS: usize = {memo_words};\n\
         /// Most backtracking frames any pattern can need.\n\
         pub(super) const MAX_STACK: usize = {};\n",
        pool.max_groups, pool.max_stack
    );
    let _ = writeln!(
        w,
        "/// Every compiled pattern: a {}-byte header (longest and shortest match, capture\n\
         /// groups, first digits, stack bound) and then\n\
         /// its code; see `matcher.rs`. Byte 0 is padding.\n\
         pub(super) static POOL: &[u8; {}] = &[",
        pattern::HEADER_LEN,
        pool.bytes.len()
    );
    for chunk in pool.bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];");
    let automata = generate_types(territories, automata_name, w)?;
    generate_formats(territories, &codes, w)?;
    Ok((out, automata))
}

/// A second pool, for the `validate` feature: the number types' patterns, each led by a
/// 3-byte mask of its possible lengths, and the territories' `leadingDigits`. Its own pool
/// and matcher bounds, so the tables and buffers parsing needs stay as small as they were.
struct TypePool {
    pool: Pool,
    offsets: BTreeMap<(String, u32), usize>,
}

impl TypePool {
    /// Offset of the length mask that leads the type's entry (0 for no pattern).
    fn add_type(&mut self, desc: &metadata::TypeDesc, id: &str) -> Result<usize, String> {
        let Some(pattern) = &desc.pattern else {
            return Ok(0);
        };
        let lengths = mask(&desc.lengths);
        if lengths >= 1 << 24 {
            return Err(format!("territory {id}: a possible length over 23"));
        }
        let key = (pattern.clone(), lengths);
        if let Some(&offset) = self.offsets.get(&key) {
            return Ok(offset);
        }
        let offset = self.pool.bytes.len();
        self.pool
            .bytes
            .extend_from_slice(&lengths.to_le_bytes()[..3]);
        self.push(pattern, id)?;
        self.offsets.insert(key, offset);
        Ok(offset)
    }

    /// Appends a pattern compiled without captures (matching only asks whether).
    fn push(&mut self, pattern: &str, id: &str) -> Result<(), String> {
        let compiled =
            pattern::compile_plain(pattern).map_err(|e| format!("territory {id}: {e}"))?;
        self.pool.bytes.extend_from_slice(&compiled.bytes);
        self.pool.max_stack = self.pool.max_stack.max(compiled.stack);
        self.pool.max_memo_bits = self
            .pool
            .max_memo_bits
            .max(usize::from(compiled.choices) * (usize::from(compiled.max_len) + 1));
        Ok(())
    }
}

/// Writes the number types' tables into `w`; gives the bytes of the automata, which the
/// source includes from `automata_name`.
fn generate_types(
    territories: &[metadata::Territory],
    automata_name: &str,
    w: &mut String,
) -> Result<Vec<u8>, String> {
    let mut types = TypePool {
        pool: Pool::new(),
        offsets: BTreeMap::new(),
    };
    let mut leading: BTreeMap<String, usize> = BTreeMap::new();
    let mut rows = Vec::new();
    let mut automata = DfaBlob::default();
    for t in territories {
        // The general description with the territory's lengths, then each type with its
        // own (none listed: no check, as in libphonenumber).
        let mut patterns = vec![(t.general_desc.as_deref(), mask(&t.possible_lengths))];
        patterns.extend(t.types.iter().map(|d| {
            d.as_ref()
                .map_or((None, 0), |d| (d.pattern.as_deref(), mask(&d.lengths)))
        }));
        let same = t.same_mobile_and_fixed_line();
        let dfa = dfa::build(&patterns, MAX_DFA_STATES)
            .map_err(|e| format!("territory {}: number types: {e}", t.id))?
            .relabel(|matched| number_type(matched, same));
        automata
            .push(&dfa)
            .map_err(|e| format!("territory {}: {e}", t.id))?;
        let mut descs = Vec::new();
        for desc in &t.types {
            descs.push(match desc {
                Some(desc) => types.add_type(desc, &t.id)?,
                None => 0,
            });
        }
        let leading_digits = match &t.leading_digits {
            Some(p) => match leading.get(p) {
                Some(&offset) => offset,
                None => {
                    let offset = types.pool.bytes.len();
                    types.push(p, &t.id)?;
                    leading.insert(p.clone(), offset);
                    offset
                }
            },
            None => 0,
        };
        rows.push((
            t.id.as_str(),
            descs,
            leading_digits,
            t.same_mobile_and_fixed_line(),
        ));
    }
    let offset_type = if types.pool.bytes.len() <= 1 << 16 {
        "u16"
    } else {
        "u32"
    };
    let _ = writeln!(
        w,
        "\n/// An offset into `TYPE_POOL` (0: none).\n\
         #[cfg(feature = \"validate\")]\n\
         pub(super) type TypeOffset = {offset_type};\n\n\
         /// Each territory's number types (in `TERRITORIES` order): the offsets of their\n\
         /// entries in `TYPE_POOL`, in the order libphonenumber tests them.\n\
         #[cfg(feature = \"validate\")]\n\
         pub(super) static TYPE_TABLES: &[TypeTable] = &["
    );
    for (id, descs, leading_digits, same) in &rows {
        let descs: Vec<String> = descs.iter().map(usize::to_string).collect();
        let _ = writeln!(
            w,
            "    // {id}\n    TypeTable {{ descs: [{}], leading_digits: {leading_digits}, \
             same_mobile_and_fixed_line: {same} }},",
            descs.join(", ")
        );
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// Words of the visited-state bitset for the patterns of `TYPE_POOL`.\n\
         #[cfg(feature = \"validate\")]\n\
         pub(super) const TYPE_MEMO_WORDS: usize = {};\n\
         /// Most backtracking frames any pattern of `TYPE_POOL` can need.\n\
         #[cfg(feature = \"validate\")]\n\
         pub(super) const TYPE_MAX_STACK: usize = {};\n",
        types.pool.max_memo_bits.div_ceil(64).max(1),
        types.pool.max_stack
    );
    let _ = writeln!(
        w,
        "/// The number types' patterns, each led by the 3-byte mask of its possible lengths\n\
         /// (0: those of the general description), and the territories' `leadingDigits`\n\
         /// (no mask); the pattern format is `POOL`'s. Byte 0 is padding.\n\
         #[cfg(feature = \"validate\")]\n\
         pub(super) static TYPE_POOL: &[u8; {}] = &[",
        types.pool.bytes.len()
    );
    for chunk in types.pool.bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];");
    automata.emit(automata_name, w);
    // The automaton of each calling code of one territory, by the code itself: the lookup
    // `is_valid` and `number_type` start with takes one read.
    let mut by_code = vec![u32::MAX; 1000];
    for (code, list) in country_codes(territories) {
        if let ([only], Some(slot)) = (list.as_slice(), by_code.get_mut(usize::from(code))) {
            *slot = automata.starts[*only] as u32;
        }
    }
    let _ = writeln!(
        w,
        "\n/// Where the automaton of each calling code of a single territory starts in\n\
         /// `TYPE_DFA`, by the code (`u32::MAX`: a shared code, or none).\n\
         #[cfg(all(feature = \"validate\", not(target_os = \"none\")))]\n\
         pub(super) static TYPE_DFA_BY_CODE: &[u32; 1000] = &["
    );
    for chunk in by_code.chunks(16) {
        let line: Vec<String> = chunk.iter().map(u32::to_string).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];");
    Ok(automata.bytes)
}

/// Most states of one territory's automaton: a bound on the generator's work, far above the
/// largest in v9.0.35.
const MAX_DFA_STATES: usize = 20_000;

/// libphonenumber's `getNumberType` from which of a territory's patterns the number matches
/// (bit 0 the general description, bit `1 + i` the `i`th type of `TYPES`, each with its
/// lengths), as the library's `validate::classify` decides it: the number as
/// `phonetoken::NumberType`'s discriminant (`FixedLine` 0 … `Unknown` 11).
fn number_type(matched: u16, same_mobile_and_fixed_line: bool) -> u16 {
    const UNKNOWN: u16 = 11;
    // The `NumberType` of the first eight types of `TYPES`: premium rate, toll free, shared
    // cost, VoIP, personal number, pager, UAN, voicemail.
    const FIRST_EIGHT: [u16; 8] = [4, 3, 5, 6, 7, 8, 9, 10];
    let has = |i: usize| matched & (2 << i) != 0;
    if matched & 1 == 0 {
        return UNKNOWN;
    }
    if let Some(i) = (0..8).find(|&i| has(i)) {
        return FIRST_EIGHT[i];
    }
    let (fixed_line, mobile) = (has(8), has(9));
    match (fixed_line, mobile, same_mobile_and_fixed_line) {
        (true, _, true) | (true, true, _) => 2,
        (true, false, false) => 0,
        (false, true, false) => 1,
        _ => UNKNOWN,
    }
}

/// Every territory's digit automaton (`xtask/src/dfa.rs`), back to back: a width byte (2 or 4),
/// then each state's row: the offsets of its ten successors' rows from the first row
/// (little-endian, of that width), its number type (a byte, [`number_type`]), and its skip
/// ([`dfa::Dfa::skips`]: a count of digits, a byte, and the offset of the row they lead to).
#[derive(Default)]
struct DfaBlob {
    bytes: Vec<u8>,
    starts: Vec<usize>,
}

impl DfaBlob {
    fn push(&mut self, dfa: &dfa::Dfa) -> Result<(), String> {
        self.starts.push(self.bytes.len());
        // Each successor is written as the offset of its row, so that a step is one read and
        // one add; two bytes while the rows fit 64 KiB, else four.
        let row_len = |width: usize| 10 * width + 2 + width;
        let width = if dfa.next.len() * row_len(2) <= 1 << 16 {
            2
        } else {
            4
        };
        if dfa.next.len() * row_len(width) > u32::MAX as usize {
            return Err("a number-type automaton over 4 GiB".to_owned());
        }
        let skips = dfa.skips();
        self.bytes.push(width as u8);
        let offset = |state: u16| (usize::from(state) * row_len(width)) as u32;
        for ((next, label), &(skip, target)) in dfa.next.iter().zip(&dfa.accept).zip(&skips) {
            for &t in next {
                self.bytes
                    .extend_from_slice(&offset(t).to_le_bytes()[..width]);
            }
            // A number type, 0 to 11.
            self.bytes.push(*label as u8);
            self.bytes.push(skip);
            self.bytes
                .extend_from_slice(&offset(target).to_le_bytes()[..width]);
        }
        Ok(())
    }

    /// The offset of each territory's automaton, and the include of the blob (the file
    /// `name`, beside the source), for targets with an operating system: firmware
    /// (`target_os = "none"`) runs the number types' patterns of `TYPE_POOL` instead, in less
    /// flash.
    fn emit(&self, name: &str, w: &mut String) {
        let _ = writeln!(
            w,
            "\n/// Where each territory's digit automaton starts in `TYPE_DFA` (in `TERRITORIES`\n\
             /// order).\n\
             #[cfg(all(feature = \"validate\", not(target_os = \"none\")))]\n\
             pub(super) static TYPE_DFA_AT: &[u32] = &["
        );
        for chunk in self.starts.chunks(16) {
            let line: Vec<String> = chunk.iter().map(usize::to_string).collect();
            let _ = writeln!(w, "    {},", line.join(", "));
        }
        let _ = writeln!(
            w,
            "];\n\n\
             /// Each territory's digit automaton over its general description and number types,\n\
             /// each with its possible lengths: a width byte (2 or 4), then each state's row:\n\
             /// the offsets of its ten successors' rows from the first row (little-endian, of\n\
             /// that width), the number type of a number that ends there (`NumberType`'s\n\
             /// discriminant; 11 unknown), and a skip: a count `k` of digits (a byte) and the\n\
             /// offset of the row that any `k` digits lead to (0 for none). The first row is the\n\
             /// dead state's, the second the start's. Generated with this file.\n\
             #[cfg(all(feature = \"validate\", not(target_os = \"none\")))]\n\
             pub(super) static TYPE_DFA: &[u8; {}] = include_bytes!(\"{name}\");",
            self.bytes.len()
        );
    }
}

/// libphonenumber's default text before an extension, when the territory prefers none.
const DEFAULT_EXTN_PREFIX: &str = " ext. ";
/// Longest national significant number (libphonenumber's `MAX_LENGTH_FOR_NSN`).
const MAX_NSN_DIGITS: usize = 17;

/// A format rule as bytes: printable ASCII copied as it is, and group references `$1`…`$9`
/// as the bytes 1 to 9. Each group may be named once, and only groups the pattern has.
fn template(rule: &str, groups: u8, id: &str) -> Result<Vec<u8>, String> {
    let bad = |what: &str| format!("territory {id}: format {rule:?}: {what}");
    let mut out = Vec::new();
    let mut named = 0u16;
    let mut bytes = rule.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'$' => {
                let group = bytes
                    .next()
                    .filter(|d| (b'1'..=b'9').contains(d))
                    .map(|d| d - b'0')
                    .ok_or_else(|| bad("`$` not followed by a group number"))?;
                if group > groups {
                    return Err(bad("names a group the pattern does not have"));
                }
                if named & (1 << group) != 0 {
                    return Err(bad("names a group twice"));
                }
                named |= 1 << group;
                out.push(group);
            }
            // A backslash is an escape in the replacement syntax of Java and Python.
            b'\\' => return Err(bad("a backslash")),
            b' '..=b'~' => out.push(b),
            _ => return Err(bad("a character that is not printable ASCII")),
        }
    }
    Ok(out)
}

/// A national prefix formatting rule as libphonenumber's metadata holds it: `$NP` the
/// national prefix (empty without one), `$FG` the first group, `$1`.
fn prefix_rule(rule: &str, national_prefix: Option<&str>) -> String {
    rule.replacen("$NP", national_prefix.unwrap_or(""), 1)
        .replacen("$FG", "$1", 1)
}

/// libphonenumber's `formattingRuleHasFirstGroupOnly`: the rule is the first group alone,
/// perhaps in parentheses (`\(?\$1\)?`), so it writes no national prefix.
fn first_group_only(rule: &str) -> bool {
    let rule = rule.strip_prefix('(').unwrap_or(rule);
    let rule = rule.strip_suffix(')').unwrap_or(rule);
    rule == "$1"
}

/// The national prefix formatting rule of a number format: its own, else its territory's.
fn format_prefix_rule(f: &metadata::NumberFormat, t: &metadata::Territory) -> Option<String> {
    f.national_prefix_formatting_rule
        .as_deref()
        .or(t.national_prefix_formatting_rule.as_deref())
        .map(|rule| prefix_rule(rule, t.national_prefix.as_deref()))
}

/// The rule NATIONAL formatting uses: `format` with its first group reference `$N` replaced
/// by the national prefix formatting rule, whose `$1` is then that `$N`, when the rule is
/// not empty; `format` itself otherwise.
fn national_rule(format: &str, rule: Option<&str>) -> String {
    let Some(rule) = rule.filter(|r| !r.is_empty()) else {
        return format.to_owned();
    };
    let first = format
        .as_bytes()
        .windows(2)
        .position(|w| w[0] == b'$' && w[1].is_ascii_digit());
    match first {
        Some(at) => {
            let group = &format[at..at + 2];
            // Every `$1` of the rule, as a replacement of the first `$N`, is that `$N`.
            let rule = rule.replace("$1", group);
            format!("{}{rule}{}", &format[..at], &format[at + 2..])
        }
        None => format.to_owned(),
    }
}

/// Deduplicating pool of format templates, each a length byte and its bytes, numbered in
/// the order they were added (`NumberFormat` holds a one-byte number instead of a two-byte
/// offset; 255 is "none").
struct Templates {
    bytes: Vec<u8>,
    starts: Vec<u16>,
    numbers: BTreeMap<Vec<u8>, u8>,
}

impl Templates {
    fn add(&mut self, template: Vec<u8>) -> Result<u8, String> {
        if let Some(&number) = self.numbers.get(&template) {
            return Ok(number);
        }
        let number = u8::try_from(self.starts.len())
            .ok()
            .filter(|&n| n < u8::MAX)
            .ok_or("more than 255 distinct format templates")?;
        let start = u16::try_from(self.bytes.len()).map_err(|_| "format templates over 64 KiB")?;
        let len = u8::try_from(template.len()).map_err(|_| "a format of over 255 bytes")?;
        self.starts.push(start);
        self.bytes.push(len);
        self.bytes.extend_from_slice(&template);
        self.numbers.insert(template, number);
        Ok(number)
    }
}

/// The `format` feature's tables: for each calling code (in `COUNTRY_CODES` order) the
/// number formats of its main territory, which is whose formats libphonenumber uses, with
/// the templates for NATIONAL and for INTERNATIONAL (the `intlFormat`, `NA` for none), the
/// text before an extension, and a pool of their patterns for the matcher.
fn generate_formats(
    territories: &[metadata::Territory],
    codes: &BTreeMap<u16, Vec<usize>>,
    w: &mut String,
) -> Result<(), String> {
    let mut pool = Pool::new();
    let mut offsets: BTreeMap<(String, bool), u16> = BTreeMap::new();
    let mut add_pattern = |pattern: &str, captures: bool, id: &str| -> Result<u16, String> {
        if let Some(&offset) = offsets.get(&(pattern.to_owned(), captures)) {
            return Ok(offset);
        }
        let compiled = if captures {
            pattern::compile(pattern)
        } else {
            pattern::compile_plain(pattern)
        }
        .map_err(|e| format!("territory {id}: {e}"))?;
        let offset = u16::try_from(pool.bytes.len()).map_err(|_| "format pool over 64 KiB")?;
        pool.bytes.extend_from_slice(&compiled.bytes);
        pool.max_groups = pool.max_groups.max(compiled.groups);
        pool.max_stack = pool.max_stack.max(compiled.stack);
        pool.max_memo_bits = pool
            .max_memo_bits
            .max(usize::from(compiled.choices) * (usize::from(compiled.max_len) + 1));
        offsets.insert((pattern.to_owned(), captures), offset);
        Ok(offset)
    };
    let mut templates = Templates {
        bytes: Vec::new(),
        starts: Vec::new(),
        numbers: BTreeMap::new(),
    };
    let mut extn_prefixes: Vec<&str> = vec![DEFAULT_EXTN_PREFIX];
    let mut formats: Vec<String> = Vec::new();
    // Per format: whether a number written nationally must carry the national prefix.
    let mut prefix_required: Vec<bool> = Vec::new();
    let mut rows: Vec<String> = Vec::new();
    // The longest formatted national number (digits and the template's other bytes): at
    // least the national number unformatted, for a number no format takes.
    let mut longest_nsn = MAX_NSN_DIGITS;
    for (code, list) in codes {
        let t = &territories[list[0]];
        // The INTERNATIONAL list is the formats minus the `NA` ones, each with its
        // `intlFormat` or else its `format`; when that leaves none, libphonenumber uses the
        // national list (with `format`, without the national prefix) for INTERNATIONAL too.
        let all_na = t
            .number_formats
            .iter()
            .all(|f| f.intl_format.as_deref() == Some("NA"));
        let start = formats.len();
        for f in &t.number_formats {
            pattern::check_format_pattern(&f.pattern)
                .map_err(|e| format!("territory {}: {e}", t.id))?;
            let compiled =
                pattern::compile(&f.pattern).map_err(|e| format!("territory {}: {e}", t.id))?;
            let digits = MAX_NSN_DIGITS.min(usize::from(compiled.max_len));
            let pattern = add_pattern(&f.pattern, true, &t.id)?;
            let leading = match &f.leading_digits {
                Some(p) => add_pattern(p, false, &t.id)?,
                None => 0,
            };
            let rule = format_prefix_rule(f, t);
            let optional = f
                .national_prefix_optional_when_formatting
                .unwrap_or(t.national_prefix_optional_when_formatting);
            prefix_required.push(
                !optional
                    && rule
                        .as_deref()
                        .is_some_and(|r| !r.is_empty() && !first_group_only(r)),
            );
            let national = template(
                &national_rule(&f.format, rule.as_deref()),
                compiled.groups,
                &t.id,
            )?;
            let intl = match f.intl_format.as_deref() {
                Some("NA") if !all_na => None,
                Some(intl) if intl != "NA" => Some(template(intl, compiled.groups, &t.id)?),
                _ => Some(template(&f.format, compiled.groups, &t.id)?),
            };
            for t in std::iter::once(&national).chain(intl.as_ref()) {
                let literals = t.iter().filter(|&&b| b > 9).count();
                longest_nsn = longest_nsn.max(literals + digits);
            }
            let national = templates.add(national)?;
            let intl = match intl {
                Some(t) => templates.add(t)?,
                None => u8::MAX,
            };
            formats.push(format!(
                "    NumberFormat {{ pattern: {pattern}, leading_digits: {leading}, \
                 national: {national}, international: {intl} }},"
            ));
        }
        let prefix = t
            .preferred_extn_prefix
            .as_deref()
            .unwrap_or(DEFAULT_EXTN_PREFIX);
        if !prefix.bytes().all(|b| (b' '..=b'~').contains(&b)) {
            return Err(format!(
                "territory {}: preferredExtnPrefix {prefix:?} is not printable ASCII",
                t.id
            ));
        }
        let extn = match extn_prefixes.iter().position(|p| *p == prefix) {
            Some(i) => i,
            None => {
                extn_prefixes.push(prefix);
                extn_prefixes.len() - 1
            }
        };
        let extn = u8::try_from(extn).map_err(|_| "more than 256 extension prefixes")?;
        let start = u16::try_from(start).map_err(|_| "more than 65,535 number formats")?;
        let len = u8::try_from(formats.len() - usize::from(start))
            .map_err(|_| format!("territory {}: more than 255 number formats", t.id))?;
        rows.push(format!(
            "    // +{code} ({id})\n    FormatCode {{ formats_start: {start}, formats_len: {len}, \
             extn_prefix: {extn} }},",
            id = t.id
        ));
    }
    let longest_extn = extn_prefixes.iter().map(|p| p.len()).max().unwrap_or(0);
    let _ = writeln!(
        w,
        "\n/// Per entry of `COUNTRY_CODES`, the number formats of its main territory (a run of\n\
         /// `NUMBER_FORMATS`) and the text before an extension (`EXTN_PREFIXES`).\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) static FORMAT_CODES: &[FormatCode] = &["
    );
    for row in &rows {
        let _ = writeln!(w, "{row}");
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// Every main territory's `numberFormat`s, in file order: the offsets of the pattern\n\
         /// and of the last `leadingDigits` (0: none) in `FORMAT_POOL`, and the numbers of the\n\
         /// NATIONAL and INTERNATIONAL templates in `TEMPLATE_STARTS` (`u8::MAX`: not used for\n\
         /// INTERNATIONAL, `intlFormat` `NA`).\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) static NUMBER_FORMATS: &[NumberFormat] = &["
    );
    for f in &formats {
        let _ = writeln!(w, "{f}");
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// Bit `i` (byte `i / 8`, bit `i % 8`) says whether `NUMBER_FORMATS[i]` has a national\n\
         /// prefix formatting rule that writes the national prefix and is not optional: a\n\
         /// number found in text, written nationally, must then carry the prefix.\n\
         #[cfg(feature = \"find\")]\n\
         pub(super) static NATIONAL_PREFIX_REQUIRED: &[u8] = &["
    );
    let bytes: Vec<u8> = prefix_required
        .chunks(8)
        .map(|c| {
            c.iter()
                .enumerate()
                .fold(0u8, |b, (i, &on)| b | (u8::from(on) << i))
        })
        .collect();
    for chunk in bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| format!("0x{b:02x}")).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// What formatting writes before an extension; entry 0 is libphonenumber's default.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) static EXTN_PREFIXES: &[&str] = &["
    );
    for p in &extn_prefixes {
        let _ = writeln!(w, "    {p:?},");
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// Longest text before an extension, in bytes.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) const MAX_EXTN_PREFIX_LEN: usize = {longest_extn};\n\
         /// Longest formatted national significant number any template can write, in bytes.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) const MAX_FORMATTED_NSN_LEN: usize = {longest_nsn};\n\
         /// Most capture groups of a pattern in `FORMAT_POOL`.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) const FORMAT_MAX_GROUPS: usize = {};\n\
         /// Words of the visited-state bitset for the patterns of `FORMAT_POOL`.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) const FORMAT_MEMO_WORDS: usize = {};\n\
         /// Most backtracking frames any pattern of `FORMAT_POOL` can need.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) const FORMAT_MAX_STACK: usize = {};\n",
        pool.max_groups,
        pool.max_memo_bits.div_ceil(64).max(1),
        pool.max_stack
    );
    let _ = writeln!(
        w,
        "/// Where each template starts in `FORMAT_TEMPLATES`.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) static TEMPLATE_STARTS: &[u16] = &["
    );
    for chunk in templates.starts.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// The format templates: a length byte, then printable ASCII copied as it is and the\n\
         /// bytes 1 to 9 standing for the groups `$1` to `$9`.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) static FORMAT_TEMPLATES: &[u8; {}] = &[",
        templates.bytes.len()
    );
    for chunk in templates.bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];\n");
    let _ = writeln!(
        w,
        "/// The number formats' patterns (with their capture groups) and leading digits\n\
         /// (without); the pattern format is `POOL`'s. Byte 0 is padding.\n\
         #[cfg(feature = \"format\")]\n\
         pub(super) static FORMAT_POOL: &[u8; {}] = &[",
        pool.bytes.len()
    );
    for chunk in pool.bytes.chunks(16) {
        let line: Vec<String> = chunk.iter().map(|b| b.to_string()).collect();
        let _ = writeln!(w, "    {},", line.join(", "));
    }
    let _ = writeln!(w, "];");
    Ok(())
}

/// Territory indices per calling code: the main country first, then the others in XML order
/// (how libphonenumber builds its country-code-to-region map).
fn country_codes(territories: &[metadata::Territory]) -> BTreeMap<u16, Vec<usize>> {
    let mut codes: BTreeMap<u16, Vec<usize>> = BTreeMap::new();
    for (i, t) in territories.iter().enumerate() {
        let list = codes.entry(t.country_code).or_default();
        if t.main_country_for_code {
            list.insert(0, i);
        } else {
            list.push(i);
        }
    }
    codes
}

fn json_str(s: Option<&str>) -> String {
    match s {
        None => "null".into(),
        Some(s) => {
            let mut out = String::from("\"");
            for c in s.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    c if (c as u32) < 0x20 => {
                        let _ = write!(out, "\\u{:04x}", c as u32);
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
            out
        }
    }
}

fn dump_json(territories: &[metadata::Territory]) -> String {
    let mut out = String::from("{\"territories\": [\n");
    for (i, t) in territories.iter().enumerate() {
        let lengths = |s: &std::collections::BTreeSet<u8>| {
            s.iter().map(u8::to_string).collect::<Vec<_>>().join(",")
        };
        let types: Vec<String> = metadata::TYPES
            .iter()
            .zip(&t.types)
            .filter_map(|(name, desc)| {
                let desc = desc.as_ref()?;
                Some(format!(
                    "{}:{{\"pattern\":{},\"lengths\":[{}]}}",
                    json_str(Some(name)),
                    json_str(desc.pattern.as_deref()),
                    lengths(&desc.lengths)
                ))
            })
            .collect();
        // The `format` feature's inputs, as libphonenumber's metadata holds them: the
        // national formats with their prefix rules, and the international list (empty
        // unless some `intlFormat` is given; the `NA` ones left out).
        let format_entry = |f: &metadata::NumberFormat, rule: Option<String>, format: &str| {
            let rule = match rule {
                Some(rule) => format!(
                    ",\"national_prefix_formatting_rule\":{}",
                    json_str(Some(&rule))
                ),
                None => String::new(),
            };
            format!(
                "{{\"pattern\":{},\"leading_digits\":{},\"format\":{}{rule}}}",
                json_str(Some(&f.pattern)),
                json_str(f.leading_digits.as_deref()),
                json_str(Some(format)),
            )
        };
        let national: Vec<String> = t
            .number_formats
            .iter()
            .map(|f| {
                format_entry(
                    f,
                    Some(format_prefix_rule(f, t).unwrap_or_default()),
                    &f.format,
                )
            })
            .collect();
        let has_intl = t.number_formats.iter().any(|f| f.intl_format.is_some());
        let intl: Vec<String> = t
            .number_formats
            .iter()
            .filter(|_| has_intl)
            .filter_map(|f| match f.intl_format.as_deref() {
                Some("NA") => None,
                Some(intl) => Some(format_entry(f, None, intl)),
                None => Some(format_entry(f, None, &f.format)),
            })
            .collect();
        let _ = writeln!(
            out,
            "{{\"id\":{},\"country_code\":{},\"main_country_for_code\":{},\
             \"international_prefix\":{},\"national_prefix_for_parsing\":{},\
             \"national_prefix_transform_rule\":{},\"general_desc\":{},\
             \"possible_lengths\":[{}],\"local_only_lengths\":[{}],\
             \"leading_digits\":{},\"same_mobile_and_fixed_line\":{},\"types\":{{{}}},\
             \"number_formats\":[{}],\"intl_number_formats\":[{}],\
             \"preferred_extn_prefix\":{}}}{}",
            json_str(Some(&t.id)),
            t.country_code,
            t.main_country_for_code,
            json_str(t.international_prefix.as_deref()),
            json_str(t.national_prefix_for_parsing.as_deref()),
            json_str(t.national_prefix_transform_rule.as_deref()),
            json_str(t.general_desc.as_deref()),
            lengths(&t.possible_lengths),
            lengths(&t.local_only_lengths),
            json_str(t.leading_digits.as_deref()),
            t.same_mobile_and_fixed_line(),
            types.join(","),
            national.join(","),
            intl.join(","),
            json_str(t.preferred_extn_prefix.as_deref()),
            if i + 1 < territories.len() { "," } else { "" }
        );
    }
    out.push_str("],\n\"country_codes\": {\n");
    let codes = country_codes(territories);
    for (i, (code, list)) in codes.iter().enumerate() {
        let ids: Vec<String> = list
            .iter()
            .map(|&t| json_str(Some(&territories[t].id)))
            .collect();
        let comma = if i + 1 < codes.len() { "," } else { "" };
        let _ = writeln!(out, "\"{code}\": [{}]{comma}", ids.join(","));
    }
    out.push_str("}}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn territory(id: &str, code: u16, main: bool, rule: Option<&str>) -> metadata::Territory {
        metadata::Territory {
            id: id.into(),
            country_code: code,
            main_country_for_code: main,
            international_prefix: Some("00".into()),
            national_prefix_for_parsing: rule.map(|_| "0(\\d{3})".into()),
            national_prefix_transform_rule: rule.map(Into::into),
            general_desc: Some("\\d{7}".into()),
            possible_lengths: [7].into(),
            local_only_lengths: BTreeSet::new(),
            leading_digits: None,
            types: vec![None; metadata::TYPES.len()],
            national_prefix: None,
            national_prefix_formatting_rule: None,
            national_prefix_optional_when_formatting: false,
            preferred_extn_prefix: None,
            number_formats: Vec::new(),
        }
    }

    #[test]
    fn transform_rules_are_stored_once_and_named_by_index() {
        let list = [
            territory("AA", 11, false, Some("5$1")),
            territory("BB", 12, false, None),
            territory("CC", 13, false, Some("5$1")),
            territory("DD", 14, false, Some("$1")),
        ];
        let out = generate(&list, "x.xml", "0").unwrap();
        assert!(out.contains("TRANSFORM_RULES: &[&str] = &[\n    \"5$1\",\n    \"$1\",\n];"));
        let rules: Vec<&str> = out
            .lines()
            .filter_map(|l| l.split("transform_rule: ").nth(1))
            .map(|rest| rest.split(',').next().unwrap())
            .collect();
        assert_eq!(rules, ["1", "0", "1", "2"]);
    }

    #[test]
    fn shared_codes_name_a_run_of_one_region_list() {
        let list = [
            territory("AA", 11, false, None),
            territory("BB", 12, false, None),
            territory("CC", 12, true, None),
        ];
        let out = generate(&list, "x.xml", "0").unwrap();
        assert!(out.contains("code: 11, main_territory: 0, regions_start: 0, regions_len: 1"));
        assert!(out.contains("code: 12, main_territory: 2, regions_start: 1, regions_len: 2"));
        let regions = out.split("CODE_REGIONS: &[Region] = &[").nth(1).unwrap();
        let regions = regions.split("];").next().unwrap();
        let ids: Vec<&str> = regions.split("*b\"").skip(1).map(|r| &r[..2]).collect();
        assert_eq!(ids, ["AA", "CC", "BB"]);
        assert!(out.contains("type TerritoryIndex = u8;"));
    }

    #[test]
    fn a_code_shared_without_a_main_country_is_led_by_the_first_in_file_order() {
        // GB and GG share +44 in libphonenumber's test metadata, neither marked main.
        let list = [
            territory("GB", 44, false, None),
            territory("AA", 11, false, None),
            territory("GG", 44, false, None),
        ];
        let out = generate(&list, "x.xml", "0").unwrap();
        assert!(out.contains("code: 44, main_territory: 0, regions_start: 1, regions_len: 2"));
        let gg = out
            .lines()
            .skip_while(|l| !l.contains("// GG"))
            .nth(1)
            .unwrap();
        assert!(gg.contains("main_territory: 0 }"), "{gg}");
        // A non-geographic entity still cannot share a code with a region.
        let list = [
            territory("AA", 11, false, None),
            territory("001", 11, false, None),
        ];
        let err = generate(&list, "x.xml", "0").unwrap_err();
        assert!(err.contains("calling code 11"), "{err}");
    }

    #[test]
    fn the_header_names_the_file_read_without_machine_paths() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let testing = root.join("data/libphonenumber/testing/PhoneNumberMetadataForTesting.xml");
        assert_eq!(
            source_name(root, &testing),
            "data/libphonenumber/testing/PhoneNumberMetadataForTesting.xml"
        );
        assert_eq!(source_name(root, &root.join(OUTPUT)), OUTPUT);
        let outside = std::env::temp_dir().join("phonetoken-xtask-elsewhere/Other.xml");
        assert_eq!(source_name(root, &outside), "Other.xml");
        let list = [territory("AA", 11, false, None)];
        let out = generate(&list, "data/x/Other.xml", "ab").unwrap();
        assert!(
            out.contains("// Source: data/x/Other.xml (libphonenumber "),
            "{out}"
        );
    }

    #[test]
    fn libphonenumbers_test_metadata_generates() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
        let xml = std::fs::read_to_string(
            root.join("data/libphonenumber/testing/PhoneNumberMetadataForTesting.xml"),
        )
        .unwrap();
        let territories = metadata::parse(&xml).unwrap();
        let out = generate(&territories, "t.xml", "0").unwrap();
        // AO keeps its never-matching national prefix; +44 is led by GB, first in the file.
        let ao = territories.iter().position(|t| t.id == "AO").unwrap();
        assert_eq!(
            territories[ao].national_prefix_for_parsing.as_deref(),
            Some("0~0")
        );
        let gb = territories.iter().position(|t| t.id == "GB").unwrap();
        assert!(territories.iter().position(|t| t.id == "GG").unwrap() > gb);
        assert!(
            out.contains(&format!("code: 44, main_territory: {gb}, ")),
            "{out}"
        );
    }

    #[test]
    fn number_types_get_their_own_pool_led_by_their_lengths() {
        let desc = |p: &str, lengths: &[u8]| {
            Some(metadata::TypeDesc {
                pattern: Some(p.into()),
                lengths: lengths.iter().copied().collect(),
            })
        };
        let mut a = territory("AA", 11, true, None);
        // Fixed line and mobile alike: `same_mobile_and_fixed_line`; toll-free second.
        a.types[1] = desc("800\\d{4}", &[7]);
        a.types[8] = desc("2\\d{6}", &[7]);
        a.types[9] = desc("2\\d{6}", &[7]);
        let mut b = territory("BB", 11, false, None);
        b.leading_digits = Some("3".into());
        b.types[8] = desc("2\\d{6}", &[7]);
        // Capture groups are compiled as plain groups.
        b.types[9] = desc("(3)\\d{6}", &[]);
        let out = generate(&[a, b], "x.xml", "0").unwrap();
        let rows: Vec<&str> = out.lines().filter(|l| l.contains("TypeTable {")).collect();
        assert_eq!(rows.len(), 2, "{out}");
        // Entry offsets: toll-free at 1 (after the padding byte), fixed line after it, and
        // mobile sharing the fixed line's entry.
        let toll_free = 1;
        let fixed = toll_free + 3 + pattern::compile("800\\d{4}").unwrap().bytes.len();
        let mobile_b = fixed + 3 + pattern::compile("2\\d{6}").unwrap().bytes.len();
        let leading_b = mobile_b + 3 + pattern::compile("(?:3)\\d{6}").unwrap().bytes.len();
        assert!(
            rows[0].contains(&format!(
                "descs: [0, {toll_free}, 0, 0, 0, 0, 0, 0, {fixed}, {fixed}], leading_digits: 0, \
                 same_mobile_and_fixed_line: true"
            )),
            "{}",
            rows[0]
        );
        assert!(
            rows[1].contains(&format!(
                "descs: [0, 0, 0, 0, 0, 0, 0, 0, {fixed}, {mobile_b}], \
                 leading_digits: {leading_b}, same_mobile_and_fixed_line: false"
            )),
            "{}",
            rows[1]
        );
        let bytes = byte_table(&out, "TYPE_POOL");
        // Each type entry starts with its length mask (bit 7), the leading digits do not.
        assert_eq!(&bytes[toll_free..toll_free + 3], &[0x80, 0, 0]);
        assert_eq!(&bytes[mobile_b..mobile_b + 3], &[0, 0, 0]);
        let leading = pattern::compile("3").unwrap().bytes;
        assert_eq!(&bytes[leading_b..], &leading[..]);
        assert!(out.contains("pub(super) type TypeOffset = u16;"));
    }

    /// The bytes of the generated `static NAME: &[u8; N] = &[...]`.
    fn byte_table(out: &str, name: &str) -> Vec<u8> {
        out.split(&format!("{name}: &[u8; "))
            .nth(1)
            .unwrap()
            .split_once("= &[")
            .unwrap()
            .1
            .split("];")
            .next()
            .unwrap()
            .split(',')
            .filter_map(|b| b.trim().parse().ok())
            .collect()
    }

    fn number_format(pattern: &str, format: &str, intl: Option<&str>) -> metadata::NumberFormat {
        metadata::NumberFormat {
            pattern: pattern.into(),
            leading_digits: None,
            format: format.into(),
            intl_format: intl.map(Into::into),
            national_prefix_formatting_rule: None,
            national_prefix_optional_when_formatting: None,
        }
    }

    #[test]
    fn first_group_only_rules_write_no_prefix() {
        for rule in ["$1", "($1)", "($1", "$1)"] {
            assert!(first_group_only(rule), "{rule}");
        }
        for rule in ["0$1", "8 ($1)", "(0$1)", "$1 ", "(($1))", ""] {
            assert!(!first_group_only(rule), "{rule}");
        }
    }

    #[test]
    fn national_prefix_rules_take_the_first_group() {
        assert_eq!(prefix_rule("$NP ($FG)", Some("8")), "8 ($1)");
        assert_eq!(prefix_rule("($NP$FG)", None), "($1)");
        assert_eq!(national_rule("$1 $2", Some("8 ($1)")), "8 ($1) $2");
        // The first group named, whichever it is: Argentina's mobile format drops `$1`.
        assert_eq!(national_rule("$2 15-$3-$4", Some("0$1")), "0$2 15-$3-$4");
        assert_eq!(national_rule("$1-$2", Some("")), "$1-$2");
        assert_eq!(national_rule("$1-$2", None), "$1-$2");
    }

    #[test]
    fn templates_hold_groups_as_bytes_and_refuse_what_the_runtime_cannot_write() {
        assert_eq!(
            template("($1) $2-$3", 3, "AA").unwrap(),
            b"(\x01) \x02-\x03"
        );
        for bad in ["$4", "$1 $1", "$a", "\\1", "$1\u{a0}$2", "$"] {
            assert!(template(bad, 3, "AA").is_err(), "{bad}");
        }
    }

    #[test]
    fn international_formats_skip_na_unless_every_one_is_na() {
        let mut a = territory("AA", 11, true, None);
        a.national_prefix = Some("0".into());
        a.preferred_extn_prefix = Some(" x".into());
        a.number_formats = vec![
            number_format("(\\d{3})(\\d{4})", "$1 $2", Some("NA")),
            number_format("(\\d{2})(\\d{5})", "$1-$2", None),
            number_format("(\\d)(\\d{6})", "$1 $2", Some("$1-$2")),
        ];
        a.number_formats[1].national_prefix_formatting_rule = Some("$NP$FG".into());
        let mut b = territory("BB", 12, true, None);
        b.number_formats = vec![number_format("(\\d{3})(\\d{4})", "$1 $2", Some("NA"))];
        let out = generate(&[a, b], "x.xml", "0").unwrap();
        let rows: Vec<&str> = out
            .lines()
            .filter(|l| l.contains("NumberFormat {"))
            .collect();
        // Templates numbered as first seen: "$1 $2", "0$1-$2", "$1-$2".
        assert!(
            rows[0].contains("national: 0, international: 255"),
            "{}",
            rows[0]
        );
        assert!(
            rows[1].contains("national: 1, international: 2"),
            "{}",
            rows[1]
        );
        assert!(
            rows[2].contains("national: 0, international: 2"),
            "{}",
            rows[2]
        );
        // Every format of BB is NA: INTERNATIONAL uses the national list.
        assert!(
            rows[3].contains("national: 0, international: 0"),
            "{}",
            rows[3]
        );
        assert!(out.contains("EXTN_PREFIXES: &[&str] = &[\n    \" ext. \",\n    \" x\",\n];"));
        assert!(out.contains("formats_start: 0, formats_len: 3, extn_prefix: 1"));
        assert!(out.contains("formats_start: 3, formats_len: 1, extn_prefix: 0"));
        // The longest national part: seven digits and one byte of layout, or "0" and "-".
        assert!(out.contains("MAX_FORMATTED_NSN_LEN: usize = 17;"), "{out}");
    }

    #[test]
    fn a_format_without_a_prefix_rule_takes_its_territorys() {
        // libphonenumber's test metadata gives territories a rule (RU: `$NP ($FG)`).
        let mut a = territory("AA", 11, true, None);
        a.national_prefix = Some("8".into());
        a.national_prefix_formatting_rule = Some("$NP ($FG)".into());
        a.number_formats = vec![
            number_format("(\\d{3})(\\d{4})", "$1-$2", None),
            number_format("(\\d{2})(\\d{5})", "$1 $2", None),
        ];
        // Its own rule wins, even an empty one.
        a.number_formats[1].national_prefix_formatting_rule = Some(String::new());
        let out = generate(&[a], "x.xml", "0").unwrap();
        let bytes = byte_table(&out, "FORMAT_TEMPLATES");
        // "8 ($1)-$2" first (national of the first format), then "$1-$2", then "$1 $2".
        assert_eq!(&bytes[..8], b"\x078 (\x01)-\x02");
        assert_eq!(&bytes[8..12], b"\x03\x01-\x02");
        assert_eq!(&bytes[12..], b"\x03\x01 \x02");
    }

    #[test]
    fn a_format_pattern_with_two_variable_repeats_is_refused() {
        let mut a = territory("AA", 11, true, None);
        a.number_formats = vec![number_format("(\\d{2,3})(\\d{4,5})", "$1 $2", None)];
        let err = generate(&[a], "x.xml", "0").unwrap_err();
        assert!(err.contains("AA") && err.contains("variable"), "{err}");
    }

    #[test]
    fn a_local_only_length_over_15_is_refused() {
        let mut t = territory("AA", 11, false, None);
        t.local_only_lengths = [15].into();
        assert!(generate(std::slice::from_ref(&t), "x.xml", "0").is_ok());
        t.local_only_lengths = [16].into();
        let err = generate(&[t], "x.xml", "0").unwrap_err();
        assert!(err.contains("AA") && err.contains("local-only"), "{err}");
    }
}
