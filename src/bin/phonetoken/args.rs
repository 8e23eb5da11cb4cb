//! Command-line flags, parsed by clap, then checked into library types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use phonetoken::{Encoding, Region};

/// Keep phone numbers out of the places where they leak.
#[derive(Parser, Debug)]
#[command(name = "phonetoken", version, about)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Read phone numbers, one per line (or from CSV columns), and write their E.164 form,
    /// one line per input line, in order; a line that is not a number gives `error: <reason>`.
    Normalize(NormalizeArgs),
    /// Read phone numbers, one per line (or from CSV columns), and write their keyed
    /// pseudonyms (HMAC-SHA256 of the E.164 form), one line per input line.
    Pseudonymize(PseudonymizeArgs),
    /// Read phone numbers, one per line (or from CSV columns), and write reversible tokens
    /// (AES-SIV, Tink-compatible), one line per input line.
    Tokenize(TokenizeArgs),
    /// Read tokens, one per line (or from CSV columns), and write the number each one holds:
    /// E.164, or formatted for people with `--format`.
    Detokenize(DetokenizeArgs),
    /// Write a new keyset file with one fresh key from the operating system's generator.
    Keygen(KeygenArgs),
    /// Manage a keyset file: list its keys, rotate, promote, disable, enable and destroy
    /// keys, and convert to and from Tink's cleartext JSON keyset.
    #[command(subcommand)]
    Keyset(KeysetCommand),
    /// Make master keys, which seal keyset files (keygen --master-key, keyset encrypt).
    #[command(subcommand)]
    MasterKey(MasterKeyCommand),
    /// Read tokens, one per line (or from CSV columns), and write each one re-encrypted
    /// under the primary key: after a rotation, moves old tokens to the new key.
    Rekey(RekeyArgs),
    /// Oblivious pseudonyms (RFC 9497): the device blinds its numbers, the server evaluates
    /// them without seeing them, the device finalizes them into pseudonyms that equal the
    /// server's own (`oprf pseudonymize`).
    #[command(subcommand)]
    Oprf(OprfCommand),
    /// Device: read phone numbers, one per line, and write each one sealed (HPKE, RFC 9180)
    /// to the server's public key (`seal-key`): an envelope only the key holder opens.
    Seal(SealArgs),
    /// Server: print the sealing public key of a keyset key, for devices to seal to.
    SealKey(SealKeyArgs),
    /// Server: read envelopes, one per line, and write the E.164 number each one holds, or
    /// straight away its pseudonym (--pseudonymize) or token (--tokenize).
    Open(OpenArgs),
    /// Read free text (lines, or CSV columns) and replace every phone number found in it
    /// (as libphonenumber's PhoneNumberMatcher finds them) with its pseudonym, token, E.164
    /// form or a mask, writing every other byte as it was.
    Scrub(ScrubArgs),
    /// Run the whole pipeline on a bundled sample with a throwaway key and print a table.
    Demo,
}

/// `phonetoken oprf …`: requests, responses and states are base64url lines.
#[derive(Subcommand, Debug)]
pub(crate) enum OprfCommand {
    /// Server: print the public key of a keyset key (76 hex digits), for devices to pin.
    PublicKey(OprfPublicKeyArgs),
    /// Device: read phone numbers, one per line, and write one blinded request per line;
    /// the secret blinds go to --state, line for line, for `oprf finalize`.
    Blind(OprfBlindArgs),
    /// Server: read requests, one per line, and write one response per line, evaluated with
    /// the keyset key each request names.
    Evaluate(OprfEvaluateArgs),
    /// Device: read responses, one per line, with the --state of `oprf blind`, check each
    /// proof against the pinned public key, and write the oblivious pseudonyms.
    Finalize(OprfFinalizeArgs),
    /// Server: read phone numbers, one per line, and write their oblivious pseudonyms,
    /// computed directly (the table of registered users to look devices' results up in).
    Pseudonymize(OprfPseudonymizeArgs),
    /// Print RFC 9497's DeriveKeyPair(seed, info) in hex (skS, then pkS), to check the
    /// implementation against the RFC's test vectors. Not a way to make keys.
    DeriveKeyPair(OprfDeriveArgs),
}

/// The RFC 9497 modes of `--mode`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ModeArg {
    /// No proof: the device trusts the server's key.
    Oprf,
    /// Verifiable: every response carries a proof checked against the pinned key.
    Voprf,
    /// Verifiable, with a public info (a purpose, an epoch) as a second input.
    Poprf,
}

impl From<ModeArg> for phonetoken::oprf::Mode {
    fn from(m: ModeArg) -> phonetoken::oprf::Mode {
        match m {
            ModeArg::Oprf => phonetoken::oprf::Mode::Oprf,
            ModeArg::Voprf => phonetoken::oprf::Mode::Voprf,
            ModeArg::Poprf => phonetoken::oprf::Mode::Poprf,
        }
    }
}

/// A keyset key and an OPRF mode: which server key.
#[derive(Args, Debug)]
pub(crate) struct OprfKeyArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// The keyset key (default: the primary).
    #[arg(long, value_name = "ID")]
    pub(crate) key_id: Option<u32>,
    /// The RFC 9497 mode; each mode has its own key.
    #[arg(long, value_enum, default_value_t = ModeArg::Voprf)]
    pub(crate) mode: ModeArg,
}

/// Flags of `phonetoken oprf public-key`.
#[derive(Args, Debug)]
pub(crate) struct OprfPublicKeyArgs {
    #[command(flatten)]
    pub(crate) key: OprfKeyArgs,
}

/// Flags of `phonetoken oprf blind`.
#[derive(Args, Debug)]
pub(crate) struct OprfBlindArgs {
    /// The server's public key, as `oprf public-key` prints it (hex, or base64url).
    #[arg(long, value_name = "KEY")]
    pub(crate) public_key: String,
    /// The file to create (readable by its owner only) for the secret blinds, one line per
    /// input line; `oprf finalize` needs it. It must not exist.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: PathBuf,
    /// POPRF only: the public info (e.g. an epoch) the server evaluates with.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) info: String,
    /// Region for numbers written without `+` and a country code (e.g. US, GB).
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken oprf evaluate`.
#[derive(Args, Debug)]
pub(crate) struct OprfEvaluateArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// The mode requests must be in; a request in another mode gets `error: wrong-mode`.
    #[arg(long, value_enum, default_value_t = ModeArg::Voprf)]
    pub(crate) mode: ModeArg,
    /// POPRF only: an info that requests may carry (repeat for several, e.g. the current and
    /// the previous epoch). Without it only the empty info is evaluated; any other gets
    /// `error: info-not-allowed`.
    #[arg(long, value_name = "TEXT")]
    pub(crate) info: Vec<String>,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken oprf finalize`.
#[derive(Args, Debug)]
pub(crate) struct OprfFinalizeArgs {
    /// The server's public key the numbers were blinded for (the pinned one).
    #[arg(long, value_name = "KEY")]
    pub(crate) public_key: String,
    /// The state file `oprf blind` wrote; its lines pair with the responses' lines.
    #[arg(long, value_name = "FILE")]
    pub(crate) state: PathBuf,
    #[command(flatten)]
    pub(crate) format: PseudonymFormatArgs,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// How a pseudonym is written.
#[derive(Args, Debug)]
pub(crate) struct PseudonymFormatArgs {
    /// How to write the pseudonym.
    #[arg(long, value_enum, default_value_t = EncodingArg::Base64url)]
    pub(crate) encoding: EncodingArg,
    /// Keep only the first N bytes of the pseudonym (8 to 64; 16 is safe for any population
    /// of phone numbers). Default: all 64.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(8..=64))]
    pub(crate) length: Option<u8>,
}

/// Flags of `phonetoken oprf pseudonymize`.
#[derive(Args, Debug)]
pub(crate) struct OprfPseudonymizeArgs {
    #[command(flatten)]
    pub(crate) key: OprfKeyArgs,
    /// POPRF only: the info to evaluate with (as the devices' `oprf blind --info`).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) info: String,
    /// Region for numbers written without `+` and a country code (e.g. US, GB).
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    #[command(flatten)]
    pub(crate) format: PseudonymFormatArgs,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken oprf derive-key-pair`.
#[derive(Args, Debug)]
pub(crate) struct OprfDeriveArgs {
    /// The seed, in hex (RFC 9497 vectors: `a3` 32 times).
    #[arg(long, value_name = "HEX")]
    pub(crate) seed: String,
    /// The key info, in hex (RFC 9497 vectors: `74657374206b6579`, "test key").
    #[arg(long, value_name = "HEX")]
    pub(crate) info: String,
    /// The RFC 9497 mode (its context string is part of the derivation).
    #[arg(long, value_enum, default_value_t = ModeArg::Voprf)]
    pub(crate) mode: ModeArg,
}

/// The number formats of `detokenize --format`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormatArg {
    /// `+14155552671`.
    E164,
    /// `+1 415-555-2671`: the country code and the international layout.
    International,
    /// `(415) 555-2671`: as dialled inside the country.
    National,
    /// `tel:+1-415-555-2671`: an RFC 3966 URI.
    Rfc3966,
    /// `+1 ***-***-2671`: the international layout with all but the last `--visible`
    /// digits hidden, for screens.
    Masked,
}

impl FormatArg {
    /// The library's format, with `visible` digits shown by a mask.
    pub(crate) fn with_visible(self, visible: u8) -> phonetoken::Format {
        match self {
            FormatArg::E164 => phonetoken::Format::E164,
            FormatArg::International => phonetoken::Format::International,
            FormatArg::National => phonetoken::Format::National,
            FormatArg::Rfc3966 => phonetoken::Format::Rfc3966,
            FormatArg::Masked => phonetoken::Format::Masked { visible },
        }
    }
}

/// The sealing suites of `--suite`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SuiteArg {
    /// DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20-Poly1305.
    X25519,
    /// X-Wing (X25519 + ML-KEM-768), HKDF-SHA256, ChaCha20-Poly1305 (post-quantum; builds
    /// with feature seal-xwing).
    Xwing,
}

/// Flags of `phonetoken seal`.
#[derive(Args, Debug)]
pub(crate) struct SealArgs {
    /// The server's sealing public key, as `seal-key` prints it (hex, or base64url).
    #[arg(long, value_name = "KEY")]
    pub(crate) public_key: String,
    /// The keyset key id of that public key (`seal-key` says it).
    #[arg(long, value_name = "ID")]
    pub(crate) key_id: u32,
    /// The sealing suite of that public key.
    #[arg(long, value_enum, default_value_t = SuiteArg::X25519)]
    pub(crate) suite: SuiteArg,
    /// Associated data bound to every envelope (e.g. "activation"); `open` needs the same.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) context: String,
    /// Region for numbers written without `+` and a country code (e.g. US, GB).
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken seal-key`.
#[derive(Args, Debug)]
pub(crate) struct SealKeyArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// The keyset key (default: the primary).
    #[arg(long, value_name = "ID")]
    pub(crate) key_id: Option<u32>,
    /// The sealing suite.
    #[arg(long, value_enum, default_value_t = SuiteArg::X25519)]
    pub(crate) suite: SuiteArg,
}

/// Flags of `phonetoken open`.
#[derive(Args, Debug)]
pub(crate) struct OpenArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// The associated data the envelopes were sealed with.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) context: String,
    /// Write the number's keyed pseudonym (as `pseudonymize`) instead of the number.
    #[arg(long, conflicts_with = "tokenize")]
    pub(crate) pseudonymize: bool,
    /// Write the number's token (as `tokenize`, with --token-context) instead of the number.
    #[arg(long)]
    pub(crate) tokenize: bool,
    /// With --tokenize: the associated data bound to every token.
    #[arg(long, value_name = "TEXT", default_value = "", requires = "tokenize")]
    pub(crate) token_context: String,
    /// With --pseudonymize: how to write the pseudonym.
    #[arg(long, value_enum, default_value_t = EncodingArg::Base64url, requires = "pseudonymize")]
    pub(crate) encoding: EncodingArg,
    /// With --pseudonymize: keep only the first N bytes (8 to 32).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(8..=32),
          requires = "pseudonymize")]
    pub(crate) length: Option<u8>,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken normalize`.
#[derive(Args, Debug)]
pub(crate) struct NormalizeArgs {
    /// Region for numbers written without `+` and a country code (ISO 3166-1 alpha-2,
    /// e.g. US, GB). Without it, such numbers are errors.
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    /// Refuse numbers that are possible but not valid (in no range of their country's
    /// numbering plan, as libphonenumber's isValidNumber): `error: invalid-number`.
    #[arg(long)]
    pub(crate) valid_only: bool,
    /// Add the number's type (libphonenumber's names: MOBILE, FIXED_LINE, TOLL_FREE, …,
    /// UNKNOWN for a number that is not valid): after a tab on the line, or in a column
    /// `<column>_type` in CSV mode.
    #[arg(long)]
    pub(crate) with_type: bool,
    /// Add the number's region (ISO 3166-1, `001` for a non-geographic code such as +800,
    /// empty when no region's plan takes the number): after a tab, or in a column
    /// `<column>_region`.
    #[arg(long)]
    pub(crate) with_region: bool,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// What `scrub` writes in place of a number.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ReplaceArg {
    /// `[phone-pseudonym:…]`: its keyed pseudonym (as `pseudonymize` writes it), labelled so
    /// a second scrub leaves it alone.
    Pseudonym,
    /// `[phone-token:…]`: its token (as `tokenize` writes it), labelled likewise;
    /// `detokenize` opens the part after the colon.
    Token,
    /// Its E.164 form (`+14155552671`; an extension is left out, as libphonenumber's E164).
    E164,
    /// The international layout with all but the last `--visible` digits hidden
    /// (`+1 ***-***-2671`).
    Mask,
}

/// libphonenumber's leniencies of `--leniency`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LeniencyArg {
    /// Numbers of a possible length for their country.
    Possible,
    /// Valid numbers only, written as their country writes them (libphonenumber's default).
    Valid,
}

impl From<LeniencyArg> for phonetoken::Leniency {
    fn from(l: LeniencyArg) -> phonetoken::Leniency {
        match l {
            LeniencyArg::Possible => phonetoken::Leniency::Possible,
            LeniencyArg::Valid => phonetoken::Leniency::Valid,
        }
    }
}

/// Flags of `phonetoken scrub`.
#[derive(Args, Debug)]
pub(crate) struct ScrubArgs {
    /// What to write in place of each number.
    #[arg(long, value_enum)]
    pub(crate) replace: ReplaceArg,
    /// The keyset (for `pseudonym` and `token`) and the purpose its keys are derived for.
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// Region for numbers written without `+` and a country code (e.g. US, GB). Without it,
    /// only numbers written with `+` are found.
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    /// Which spans count as numbers (libphonenumber's leniency).
    #[arg(long, value_enum, default_value_t = LeniencyArg::Valid)]
    pub(crate) leniency: LeniencyArg,
    /// With `token`: associated data bound to every token; detokenize needs the same.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) context: String,
    /// With `mask`: how many of the last digits stay readable (default 4).
    #[arg(long, value_name = "N")]
    pub(crate) visible: Option<u8>,
    /// With `pseudonym`: keep only the first N bytes of it (8 to 32).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(8..=32))]
    pub(crate) length: Option<u8>,
    /// Candidates that are not numbers tried per line or cell before the search gives up
    /// (libphonenumber's maxTries). A line or cell where it gives up is not written: it
    /// becomes `error: too-many-candidates`, since numbers may be left in it.
    #[arg(long, value_name = "N", default_value_t = phonetoken::find::DEFAULT_MAX_TRIES)]
    pub(crate) max_tries: u32,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Where the input comes from, where the output goes, and how it is processed: shared by
/// every subcommand that reads numbers or tokens.
#[derive(Args, Debug, Clone)]
pub(crate) struct BulkArgs {
    /// Read from FILE instead of stdin.
    #[arg(long, value_name = "FILE")]
    pub(crate) input: Option<PathBuf>,
    /// Write to FILE instead of stdout. The output goes to a temporary file beside FILE that
    /// replaces it only when the run succeeds.
    #[arg(long, value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// Read and write CSV (RFC 4180) instead of lines: the first record is the header, the
    /// --column values are processed, every other field is passed through.
    #[arg(long)]
    pub(crate) csv: bool,
    /// The CSV column to process, by header name or 1-based index (repeat for several).
    #[arg(long, value_name = "NAME_OR_INDEX", requires = "csv")]
    pub(crate) column: Vec<String>,
    /// Put the result in a new column with this header name (appended; the input column is
    /// kept) instead of replacing the input column. Give one per --column.
    #[arg(long, value_name = "NAME", requires = "csv")]
    pub(crate) output_column: Vec<String>,
    /// Header of the column appended to every CSV record with the reasons its cells failed
    /// (empty when none did).
    #[arg(
        long,
        value_name = "NAME",
        default_value = "phonetoken_error",
        requires = "csv"
    )]
    pub(crate) error_column: String,
    /// The CSV input has no header record: name columns by index, and no header is written.
    #[arg(long, requires = "csv")]
    pub(crate) no_header: bool,
    /// Stop at the first line or record that fails, with exit status 1 and its number;
    /// with --output, no output file is left behind.
    #[arg(long)]
    pub(crate) strict: bool,
    /// Worker threads (default: one per core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub(crate) threads: Option<u16>,
    /// Lines or records read and processed together; memory use grows with it.
    #[arg(long, value_name = "N", default_value_t = 16_384,
          value_parser = clap::value_parser!(u32).range(1..=1_048_576))]
    pub(crate) chunk_size: u32,
}

/// The keyset file, and how strictly its permissions are checked.
#[derive(Args, Debug)]
pub(crate) struct KeysetFileArgs {
    /// The keyset file (made by `phonetoken keygen`). Defaults to the path in the
    /// PHONETOKEN_KEYSET environment variable.
    #[arg(long, value_name = "FILE")]
    pub(crate) keyset: Option<PathBuf>,
    /// Refuse a keyset file that users other than its owner can read or write, instead of
    /// warning about it.
    #[arg(long)]
    pub(crate) strict_permissions: bool,
    #[command(flatten)]
    pub(crate) master: MasterKeyArgs,
}

/// The master key that seals an encrypted keyset file.
#[derive(Args, Debug, Clone)]
pub(crate) struct MasterKeyArgs {
    /// The master key of an encrypted keyset: `file:PATH` (a Tink AES-GCM keyset file) or
    /// an RFC 7512 `pkcs11:` URI naming an AES key in a token (PIN from `pin-source=FILE`
    /// or PHONETOKEN_PKCS11_PIN). Defaults to PHONETOKEN_MASTER_KEY.
    #[arg(long, value_name = "URI")]
    pub(crate) master_key: Option<String>,
}

/// Where the keys come from, and for which purpose.
#[derive(Args, Debug)]
pub(crate) struct KeyArgs {
    #[command(flatten)]
    pub(crate) file: KeysetFileArgs,
    /// Derive independent keys for this purpose (1 to 255 bytes, e.g. "contacts"), so
    /// outputs of different purposes cannot be joined.
    #[arg(long, value_name = "LABEL")]
    pub(crate) purpose: Option<String>,
}

/// Flags of `phonetoken pseudonymize`.
#[derive(Args, Debug)]
pub(crate) struct PseudonymizeArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// Region for numbers written without `+` and a country code (e.g. US, GB).
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    /// How to write the pseudonym.
    #[arg(long, value_enum, default_value_t = EncodingArg::Base64url)]
    pub(crate) encoding: EncodingArg,
    /// Keep only the first N bytes of the pseudonym (8 to 32; 16 is safe for any
    /// population of phone numbers). Default: all 32.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(8..=32))]
    pub(crate) length: Option<u8>,
    /// Write the pseudonym under every enabled key, primary first, as `ID:PSEUDONYM`
    /// separated by spaces: during a key rotation, look records up under old and new keys,
    /// or build a table from old pseudonyms to new ones.
    #[arg(long)]
    pub(crate) all_keys: bool,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken tokenize`.
#[derive(Args, Debug)]
pub(crate) struct TokenizeArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// Region for numbers written without `+` and a country code (e.g. US, GB).
    #[arg(long, value_name = "CC", value_parser = parse_region)]
    pub(crate) region: Option<Region>,
    /// Associated data bound to every token (e.g. a table name); detokenize needs the same.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) context: String,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken detokenize`.
#[derive(Args, Debug)]
pub(crate) struct DetokenizeArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// The associated data the tokens were made with.
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) context: String,
    /// How to write the number: as stored (E.164), or as libphonenumber formats it for
    /// people (`+1 415-555-2671`, `(415) 555-2671`, `tel:+1-415-555-2671`).
    #[arg(long, value_enum, default_value_t = FormatArg::E164)]
    pub(crate) format: FormatArg,
    /// With `--format masked`: how many of the last digits stay readable.
    #[arg(long, value_name = "N", default_value_t = 4)]
    pub(crate) visible: u8,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken rekey`.
#[derive(Args, Debug)]
pub(crate) struct RekeyArgs {
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
    /// The associated data the tokens were made with (the new tokens keep it).
    #[arg(long, value_name = "TEXT", default_value = "")]
    pub(crate) context: String,
    #[command(flatten)]
    pub(crate) bulk: BulkArgs,
}

/// Flags of `phonetoken keygen`.
#[derive(Args, Debug)]
pub(crate) struct KeygenArgs {
    /// The keyset file to create (readable by its owner only).
    #[arg(long = "output", visible_alias = "out", value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Replace the file if it exists (the old keys are lost).
    #[arg(long)]
    pub(crate) force: bool,
    /// Seal the keyset under this master key (see `--master-key` of the other commands).
    #[command(flatten)]
    pub(crate) master: MasterKeyArgs,
}

/// `phonetoken keyset …`.
#[derive(Subcommand, Debug)]
pub(crate) enum KeysetCommand {
    /// List the keys: id, status, which is primary. Never prints key material.
    List(KeysetFileArgs),
    /// Add a fresh key and make it primary; the old keys stay enabled, so their tokens
    /// still open (`phonetoken rekey` moves them to the new key).
    Rotate(KeysetFileArgs),
    /// Make an enabled key the primary.
    Promote(KeyIdArgs),
    /// Disable a key that is not primary: its tokens no longer open, until enabled again.
    Disable(KeyIdArgs),
    /// Enable a disabled key again.
    Enable(KeyIdArgs),
    /// Remove a disabled key from the file for good: its tokens can never be opened again.
    Destroy(KeyIdArgs),
    /// Seal a plaintext keyset file under --master-key, in place.
    Encrypt(KeysetFileArgs),
    /// Write an encrypted keyset file back as plaintext, in place (it then holds the keys
    /// in clear).
    Decrypt(KeysetFileArgs),
    /// Print the token keys as a Tink cleartext JSON keyset on stdout (it holds secrets).
    ExportTink(ExportTinkArgs),
    /// Read a Tink cleartext JSON keyset of AES-SIV keys and write a phonetoken keyset
    /// file; each key gets a fresh pseudonym key.
    ImportTink(ImportTinkArgs),
}

/// Flags of `phonetoken keyset export-tink`.
#[derive(Args, Debug)]
pub(crate) struct ExportTinkArgs {
    /// The keyset file, and the purpose whose token keys to export (the keys that
    /// `tokenize --purpose LABEL` uses); without `--purpose`, the file's own token keys.
    #[command(flatten)]
    pub(crate) keys: KeyArgs,
}

/// Flags of the `phonetoken keyset` commands that change one key.
#[derive(Args, Debug)]
pub(crate) struct KeyIdArgs {
    #[command(flatten)]
    pub(crate) file: KeysetFileArgs,
    /// The key's id (see `phonetoken keyset list`).
    #[arg(long, value_name = "ID")]
    pub(crate) key_id: u32,
}

/// Flags of `phonetoken keyset import-tink`.
#[derive(Args, Debug)]
pub(crate) struct ImportTinkArgs {
    /// The Tink cleartext JSON keyset to read.
    #[arg(long = "input", visible_alias = "in", value_name = "FILE")]
    pub(crate) input: PathBuf,
    /// The phonetoken keyset file to create (readable by its owner only).
    #[arg(long = "output", visible_alias = "out", value_name = "FILE")]
    pub(crate) out: PathBuf,
    /// Replace the output file if it exists.
    #[arg(long)]
    pub(crate) force: bool,
    /// Seal the new keyset under this master key.
    #[command(flatten)]
    pub(crate) master: MasterKeyArgs,
}

/// `phonetoken master-key …`.
#[derive(Subcommand, Debug)]
pub(crate) enum MasterKeyCommand {
    /// Make a new master key: a new owner-only Tink AES-GCM keyset file (`file:PATH`), or a
    /// new AES-256 key inside a PKCS#11 token that never leaves it (`pkcs11:…`). Never
    /// replaces an existing one.
    New(MasterKeyNewArgs),
}

/// Flags of `phonetoken master-key new`.
#[derive(Args, Debug)]
pub(crate) struct MasterKeyNewArgs {
    /// Where to make it: `file:PATH` or a `pkcs11:` URI.
    #[arg(long, value_name = "URI")]
    pub(crate) master_key: String,
}

/// The text encodings of `--encoding`.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum EncodingArg {
    /// URL-safe base64 without padding.
    Base64url,
    /// Standard base64 with padding (as Cloud DLP prints hashes).
    Base64,
    /// Lower-case hexadecimal.
    Hex,
}

impl From<EncodingArg> for Encoding {
    fn from(e: EncodingArg) -> Encoding {
        match e {
            EncodingArg::Base64url => Encoding::Base64Url,
            EncodingArg::Base64 => Encoding::Base64,
            EncodingArg::Hex => Encoding::Hex,
        }
    }
}

fn parse_region(s: &str) -> Result<Region, String> {
    s.parse::<Region>().map_err(|e| {
        // Codes people reach for that ISO 3166-1 spells otherwise.
        let hint = match s.to_ascii_uppercase().as_str() {
            "UK" => " (did you mean GB? ISO 3166-1 writes the United Kingdom GB)",
            "EL" => " (did you mean GR? EL is the EU's code for Greece; ISO 3166-1 writes GR)",
            _ => "",
        };
        // clap's message already shows the value.
        format!("{e}{hint}")
    })
}
