//! `phonetoken._native`: the Rust half of the `phonetoken` Python package.
//!
//! Column kernels over Arrow string arrays (taken and given through the Arrow PyCapsule
//! interface, so the column is not copied on the way in), scalar forms for one value, and
//! the `Keyset` class, whose keys stay in Rust memory. Every result is the one the
//! `phonetoken` tool gives for the same line: the kernels call the library exactly as the
//! tool's `normalize` (with `--with-type` and `--with-region`), `pseudonymize`, `tokenize`,
//! `detokenize` (with `--format`) and `scrub` commands do; `find` gives the spans the
//! library's `find_numbers` finds.

// No unsafe code of its own (PyO3's macros allow what they generate); the library forbids it.
#![deny(unsafe_code)]

use std::sync::{Arc, Mutex};

use arrow_array::builder::{GenericStringBuilder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{
    Array, ArrayRef, BooleanArray, GenericStringArray, Int64Array, ListArray, OffsetSizeTrait,
    StructArray,
};
use arrow_buffer::{Buffer, NullBufferBuilder, OffsetBuffer, ScalarBuffer};
use arrow_schema::{DataType, Field, Fields};
use std::path::Path;

use phonetoken::encrypted_keyset::EncryptedKeysetError;
use phonetoken::find::scrub::{Replacement, ScrubError, Scrubber};
use phonetoken::keyset_file::KeysetFileKind;
use phonetoken::keystore::{
    keyset_path_from_env, permission_problem, read_secret, shown_path, KeystoreError, MasterKeyUri,
    KEYSET_ENV, MASTER_KEY_ENV,
};
use phonetoken::{
    find_numbers, Encoding, Format, Keyset, Leniency, ParseError, PseudonymKey, Region, TokenError,
    TokenKey, MAX_FORMATTED_LEN, MAX_TOKEN_TEXT_LEN,
};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use pyo3_arrow::input::AnyArray;
use pyo3_arrow::{PyArray, PyChunkedArray};
use rayon::prelude::*;
use zeroize::{Zeroize, Zeroizing};

/// A shared keyset. The keys are loaded into their `Box` in place and stay there until the
/// keyset is dropped and wiped: `Arc<Keyset>` would have to move them out of the box (or off
/// the stack) into the `Arc`'s allocation, leaving an unwiped copy behind.
#[allow(clippy::redundant_allocation)]
type Keys = Arc<Box<Keyset>>;

/// Rows below which `parallel=True` does not split an array: the split costs more.
const MIN_PARALLEL_SLICE: usize = 16_384;

// ---------------------------------------------------------------------------------------
// Errors: raised as the Python classes of `phonetoken._errors`, chosen by kind and code.

/// Why one value failed, as the library said it.
#[derive(Clone, Copy, Debug)]
enum Fail {
    Parse(ParseError),
    Token(TokenError),
    /// A text that could not be searched or scrubbed wholly.
    Find(ScrubError),
    /// A failure the checks before the kernel rule out (the tool's `bad-length`,
    /// `buffer-too-small`); reported as data rather than a panic.
    Internal(&'static str),
}

impl Fail {
    fn kind(self) -> &'static str {
        match self {
            Fail::Parse(_) => "parse",
            Fail::Token(_) => "token",
            Fail::Find(_) => "find",
            Fail::Internal(_) => "internal",
        }
    }

    fn code(self) -> &'static str {
        match self {
            Fail::Parse(e) => e.code(),
            Fail::Token(e) => e.code(),
            Fail::Find(e) => e.code(),
            Fail::Internal(code) => code,
        }
    }

    fn message(self) -> String {
        match self {
            Fail::Parse(e) => e.to_string(),
            Fail::Token(e) => e.to_string(),
            Fail::Find(e) => e.to_string(),
            Fail::Internal(code) => format!("internal error ({code}): please report it"),
        }
    }
}

/// A value that failed, and its row in the whole column (0-based).
#[derive(Clone, Copy, Debug)]
struct RowFail {
    row: usize,
    fail: Fail,
}

/// The exception of class `kind`/`code` from `phonetoken._errors`.
fn error(py: Python<'_>, kind: &str, code: &str, message: String, row: Option<usize>) -> PyErr {
    let made = py
        .import("phonetoken._errors")
        .and_then(|m| m.getattr("_make"))
        .and_then(|make| make.call1((kind, code, message, row)));
    match made {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

fn fail_error(py: Python<'_>, fail: Fail, row: Option<usize>) -> PyErr {
    let message = match row {
        Some(row) => format!("row {row}: {}: {}", fail.code(), fail.message()),
        None => fail.message(),
    };
    error(py, fail.kind(), fail.code(), message, row)
}

// ---------------------------------------------------------------------------------------
// Options.

/// What a kernel does with a value that fails.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Errors {
    /// A null in its place.
    Null,
    /// An exception naming the first failing row and its reason code.
    Raise,
    /// A struct column of (value, error code).
    Column,
}

fn errors_arg(text: &str) -> PyResult<Errors> {
    match text {
        "null" => Ok(Errors::Null),
        "raise" => Ok(Errors::Raise),
        "column" => Ok(Errors::Column),
        _ => Err(PyValueError::new_err(format!(
            "errors={text:?}: give \"null\" (a failing value becomes null), \"raise\" (an exception naming the row) or \"column\" (a struct of value and error code)"
        ))),
    }
}

fn region_arg(region: Option<&str>) -> PyResult<Option<Region>> {
    region
        .map(|r| {
            r.parse::<Region>()
                .map_err(|e| PyValueError::new_err(format!("region={r:?}: {e}")))
        })
        .transpose()
}

fn encoding_arg(text: &str) -> PyResult<Encoding> {
    match text {
        "base64url" => Ok(Encoding::Base64Url),
        "base64" => Ok(Encoding::Base64),
        "hex" => Ok(Encoding::Hex),
        _ => Err(PyValueError::new_err(format!(
            "encoding={text:?}: give \"base64url\" (URL-safe, no padding), \"base64\" (standard, padded) or \"hex\""
        ))),
    }
}

/// The tool's `--length` range: 8 to 32 bytes, all 32 by default.
fn length_arg(length: usize) -> PyResult<usize> {
    if (8..=32).contains(&length) {
        Ok(length)
    } else {
        Err(PyValueError::new_err(format!(
            "length={length}: a pseudonym keeps 8 to 32 bytes (16 is safe for any population of phone numbers)"
        )))
    }
}

/// A token's context: text (its UTF-8 bytes, as the tool's `--context`) or bytes.
#[derive(FromPyObject)]
enum Context {
    Text(String),
    Bytes(Vec<u8>),
}

impl Context {
    fn into_bytes(self) -> Vec<u8> {
        match self {
            Context::Text(s) => s.into_bytes(),
            Context::Bytes(b) => b,
        }
    }
}

// ---------------------------------------------------------------------------------------
// The per-value work, as the tool does it.

/// One output value, on the stack: the longest is a token in base64url. Wiped when
/// dropped: it may be a detokenized number.
struct Text {
    buf: [u8; MAX_TOKEN_TEXT_LEN],
    len: usize,
}

impl Drop for Text {
    fn drop(&mut self) {
        self.buf.zeroize();
    }
}

impl Text {
    fn from_str(s: &str) -> Text {
        let mut t = Text {
            buf: [0; MAX_TOKEN_TEXT_LEN],
            len: s.len(),
        };
        t.buf[..s.len()].copy_from_slice(s.as_bytes());
        t
    }

    fn encoded(f: impl FnOnce(&mut [u8]) -> Option<usize>) -> Option<Text> {
        let mut t = Text {
            buf: [0; MAX_TOKEN_TEXT_LEN],
            len: 0,
        };
        t.len = f(&mut t.buf)?;
        Some(t)
    }

    fn as_str(&self) -> &str {
        // Only ever filled from a `&str` of this length.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or_default()
    }
}

/// What a kernel does to one value.
#[derive(Clone)]
enum Op {
    Normalize {
        region: Option<Region>,
    },
    Pseudonymize {
        keys: Keys,
        region: Option<Region>,
        encoding: Encoding,
        length: usize,
    },
    Tokenize {
        keys: Keys,
        region: Option<Region>,
        context: Arc<[u8]>,
    },
    Detokenize {
        keys: Keys,
        context: Arc<[u8]>,
    },
}

impl Op {
    fn apply(&self, text: &str) -> Result<Text, Fail> {
        match self {
            Op::Normalize { region } => {
                let number = phonetoken::parse(text, *region).map_err(Fail::Parse)?;
                Ok(Text::from_str(number.as_str()))
            }
            Op::Pseudonymize {
                keys,
                region,
                encoding,
                length,
            } => {
                let number = phonetoken::parse(text, *region).map_err(Fail::Parse)?;
                let mut pseudonym = keys.pseudonymize(&number);
                if *length < pseudonym.as_bytes().len() {
                    // The length was checked to be 8..=32 when the call was made.
                    pseudonym = pseudonym
                        .truncate(*length)
                        .map_err(|_| Fail::Internal("bad-length"))?;
                }
                Text::encoded(|buf| encoding.encode_to_slice(pseudonym.as_bytes(), buf).ok())
                    .ok_or(Fail::Internal("buffer-too-small"))
            }
            Op::Tokenize {
                keys,
                region,
                context,
            } => {
                let number = phonetoken::parse(text, *region).map_err(Fail::Parse)?;
                let token = keys.tokenize(&number, context);
                // MAX_TOKEN_TEXT_LEN holds any token in any encoding.
                Text::encoded(|buf| {
                    Encoding::Base64Url
                        .encode_to_slice(token.as_bytes(), buf)
                        .ok()
                })
                .ok_or(Fail::Internal("buffer-too-small"))
            }
            Op::Detokenize { keys, context } => {
                let number = keys.detokenize_str(text, context).map_err(Fail::Token)?;
                Ok(Text::from_str(number.as_str()))
            }
        }
    }

    /// Bytes of output text per row, to size the output buffer once.
    fn row_bytes(&self) -> usize {
        match self {
            Op::Normalize { .. } | Op::Detokenize { .. } => 13,
            Op::Pseudonymize {
                encoding, length, ..
            } => encoding.encoded_len(*length),
            // 5 prefix bytes, 16 of SIV, about 13 of number, in base64url.
            Op::Tokenize { .. } => 46,
        }
    }
}

// ---------------------------------------------------------------------------------------
// Kernels over one Arrow array.

fn is_string_type(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// The output's value type: 64-bit offsets for `large_utf8` in, else `utf8`.
fn value_type(input: &DataType) -> DataType {
    match input {
        DataType::LargeUtf8 => DataType::LargeUtf8,
        _ => DataType::Utf8,
    }
}

fn output_type(input: &DataType, errors: Errors) -> DataType {
    let value = value_type(input);
    match errors {
        Errors::Column => DataType::Struct(column_fields(value)),
        _ => value,
    }
}

fn column_fields(value: DataType) -> Fields {
    Fields::from(vec![
        Field::new("value", value.clone(), true),
        // The same string type as the value's, so an engine that wants 64-bit offsets
        // (Spark with large variable types) gets them in both fields.
        Field::new("error", value, true),
    ])
}

/// One row's result in a [`Piece`].
#[derive(Clone, Copy)]
enum Row {
    /// The next `len` bytes of the piece's text.
    Value(u16),
    /// A null in, a null out.
    Null,
    /// A value that failed, with its reason code (null out, and the code with
    /// `errors="column"`).
    Failed(&'static str),
}

/// The results of a run of consecutive rows: every output text back to back in memory wiped
/// when dropped (a detokenized number is the secret the token kept), and each row's fate.
/// Pieces are copied once into the output array, sized exactly, so neither they nor the
/// array's buffers ever grow and leave an unwiped copy behind in freed memory.
struct Piece {
    text: Zeroizing<Vec<u8>>,
    rows: Vec<Row>,
}

impl Piece {
    fn with_capacity(rows: usize, bytes: usize) -> Piece {
        Piece {
            text: Zeroizing::new(Vec::with_capacity(bytes)),
            rows: Vec::with_capacity(rows),
        }
    }

    /// Appends `value` (see [`push_wiped`]).
    fn push(&mut self, value: &str) {
        let bytes = value.as_bytes();
        push_wiped(&mut self.text, bytes);
        // At most MAX_TOKEN_TEXT_LEN bytes.
        self.rows.push(Row::Value(bytes.len() as u16));
    }
}

/// Appends `bytes`, moving the text to a larger buffer (the old one wiped as it is dropped)
/// when it is full, rather than letting the vector reallocate unwiped.
fn push_wiped(text: &mut Zeroizing<Vec<u8>>, bytes: &[u8]) {
    if text.capacity() - text.len() < bytes.len() {
        let mut larger = Zeroizing::new(Vec::with_capacity(
            (text.capacity() * 2).max(text.len() + bytes.len()),
        ));
        larger.extend_from_slice(text);
        *text = larger;
    }
    text.extend_from_slice(bytes);
}

/// Runs `op` over `values`; `row0` is the row of the first in the whole column. With
/// `errors="raise"` stops at the first failure.
fn run_piece<'a>(
    values: impl Iterator<Item = Option<&'a str>>,
    len: usize,
    op: &Op,
    errors: Errors,
    row0: usize,
) -> Result<Piece, RowFail> {
    let mut piece = Piece::with_capacity(len, len * op.row_bytes());
    for (i, value) in values.enumerate() {
        let Some(text) = value else {
            piece.rows.push(Row::Null);
            continue;
        };
        match op.apply(text) {
            Ok(result) => piece.push(result.as_str()),
            Err(fail) if errors == Errors::Raise => {
                return Err(RowFail {
                    row: row0 + i,
                    fail,
                })
            }
            Err(fail) => piece.rows.push(Row::Failed(fail.code())),
        }
    }
    Ok(piece)
}

/// Runs `op` over one string array (its type checked by the caller); `row0` is the row of
/// its first value in the whole column.
fn run_slice(array: &dyn Array, op: &Op, errors: Errors, row0: usize) -> Result<Piece, RowFail> {
    let n = array.len();
    if let Some(a) = array.as_string_opt::<i64>() {
        return run_piece(a.iter(), n, op, errors, row0);
    }
    if let Some(a) = array.as_string_view_opt() {
        return run_piece(a.iter(), n, op, errors, row0);
    }
    match array.as_string_opt::<i32>() {
        Some(a) => run_piece(a.iter(), n, op, errors, row0),
        // The caller lets only string types through; anything else gives no rows rather
        // than a panic.
        None => Ok(Piece::with_capacity(0, 0)),
    }
}

/// One output array from the pieces of one input array, in order.
fn assemble(pieces: Vec<Piece>, input: &DataType, errors: Errors) -> Result<ArrayRef, Fail> {
    match value_type(input) {
        DataType::LargeUtf8 => assemble_typed::<i64>(pieces, errors),
        _ => assemble_typed::<i32>(pieces, errors),
    }
}

fn assemble_typed<O: OffsetSizeTrait>(
    mut pieces: Vec<Piece>,
    errors: Errors,
) -> Result<ArrayRef, Fail> {
    let rows: usize = pieces.iter().map(|p| p.rows.len()).sum();
    // One piece (the usual case) gives its text to the array as it is; several are copied
    // into one exactly sized buffer, and wiped as they are dropped.
    let text = if pieces.len() == 1 {
        std::mem::take(&mut *pieces[0].text)
    } else {
        let mut text = Vec::with_capacity(pieces.iter().map(|p| p.text.len()).sum());
        for piece in &pieces {
            text.extend_from_slice(&piece.text);
        }
        text
    };
    let too_long = Fail::Internal("column-too-long");
    let mut offsets = Vec::with_capacity(rows + 1);
    let mut nulls = NullBufferBuilder::new(rows);
    let mut codes =
        (errors == Errors::Column).then(|| GenericStringBuilder::<O>::with_capacity(rows, 0));
    let mut end = 0usize;
    offsets.push(O::usize_as(0));
    for row in pieces.iter().flat_map(|p| &p.rows) {
        match *row {
            Row::Value(len) => {
                end += usize::from(len);
                nulls.append_non_null();
            }
            Row::Null | Row::Failed(_) => nulls.append_null(),
        }
        offsets.push(O::from_usize(end).ok_or(too_long)?);
        if let Some(codes) = &mut codes {
            match *row {
                Row::Failed(code) => codes.append_value(code),
                _ => codes.append_null(),
            }
        }
    }
    // Checks the offsets and that the text is UTF-8 (it was pushed whole from `&str`s).
    let values: ArrayRef = Arc::new(
        GenericStringArray::<O>::try_new(
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Buffer::from_vec(text),
            nulls.finish(),
        )
        .map_err(|_| Fail::Internal("bad-column"))?,
    );
    Ok(match codes {
        Some(mut codes) => {
            let fields = column_fields(values.data_type().clone());
            let codes: ArrayRef = Arc::new(codes.finish());
            Arc::new(StructArray::new(fields, vec![values, codes], None))
        }
        None => values,
    })
}

/// Runs `run` over every chunk (each call given a slice of one chunk and the row of its first
/// value in the whole column); with `parallel`, over slices on rayon's threads. `assemble`
/// makes one output array per chunk from its slices' pieces, in order. Gives the arrays, or
/// the first failing row (in row order).
fn run_chunks<P: Send>(
    chunks: &[ArrayRef],
    parallel: bool,
    run: impl Fn(&dyn Array, usize) -> Result<P, RowFail> + Sync,
    assemble: impl Fn(Vec<P>) -> Result<ArrayRef, Fail>,
) -> Result<Vec<ArrayRef>, RowFail> {
    let mut starts = Vec::with_capacity(chunks.len());
    let mut row = 0;
    for chunk in chunks {
        starts.push(row);
        row += chunk.len();
    }
    let slice_len = if parallel {
        let threads = rayon::current_num_threads().max(1);
        (row / (threads * 4)).max(MIN_PARALLEL_SLICE)
    } else {
        usize::MAX
    };
    // (chunk index, offset in chunk, length); every chunk has at least one, so an empty
    // chunk gives an empty array.
    let mut slices = Vec::new();
    for (c, chunk) in chunks.iter().enumerate() {
        let mut offset = 0;
        loop {
            let n = slice_len.min(chunk.len() - offset);
            slices.push((c, offset, n));
            offset += n;
            if offset >= chunk.len() {
                break;
            }
        }
    }
    let run = |&(c, offset, n): &(usize, usize, usize)| {
        // A view of the rows, not a copy.
        let slice = chunks[c].slice(offset, n);
        run(slice.as_ref(), starts[c] + offset)
    };
    let pieces: Vec<Result<P, RowFail>> = if parallel {
        slices.par_iter().map(run).collect()
    } else {
        slices.iter().map(run).collect()
    };
    let mut per_chunk: Vec<Vec<P>> = (0..chunks.len()).map(|_| Vec::new()).collect();
    for (&(c, _, _), piece) in slices.iter().zip(pieces) {
        // Slices are in row order, so the first failure met is the first row that failed.
        per_chunk[c].push(piece?);
    }
    per_chunk
        .into_iter()
        .zip(&starts)
        .map(|(pieces, &row)| assemble(pieces).map_err(|fail| RowFail { row, fail }))
        .collect()
}

/// An empty utf8 array, where the code above has an impossible case to fill.
fn unreachable_empty() -> ArrayRef {
    Arc::new(StringBuilder::new().finish())
}

/// Runs `op` over `arr` (a pyarrow `Array`, `ChunkedArray`, or anything with
/// `__arrow_c_array__` / `__arrow_c_stream__`) with the GIL released, and gives a pyarrow
/// `Array` for an array in, a `ChunkedArray` for a stream in.
fn column<'py>(
    py: Python<'py>,
    arr: AnyArray,
    op: Op,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let errors = errors_arg(errors)?;
    strings_column(
        py,
        arr,
        |input| output_type(input, errors),
        |input, chunks| {
            run_chunks(
                chunks,
                parallel,
                |slice, row0| run_slice(slice, &op, errors, row0),
                |pieces| assemble(pieces, input, errors),
            )
        },
    )
}

/// Checks that `arr` is a column of strings, runs `run` over its chunks with the GIL released,
/// and gives the results as a pyarrow `Array` (for an array in) or `ChunkedArray`, of the
/// type `out_type` gives for the input's.
fn strings_column<'py>(
    py: Python<'py>,
    arr: AnyArray,
    out_type: impl FnOnce(&DataType) -> DataType,
    run: impl FnOnce(&DataType, &[ArrayRef]) -> Result<Vec<ArrayRef>, RowFail> + Send,
) -> PyResult<Bound<'py, PyAny>> {
    let single = matches!(arr, AnyArray::Array(_));
    let chunked = arr.into_chunked_array()?;
    let (chunks, field) = chunked.into_inner();
    let input_type = field.data_type().clone();
    if !is_string_type(&input_type) {
        return Err(PyTypeError::new_err(format!(
            "expected a column of strings (utf8, large_utf8 or utf8_view), got {input_type}"
        )));
    }
    let result = py.detach(|| run(&input_type, &chunks));
    let outputs = result.map_err(|f| fail_error(py, f.fail, Some(f.row)))?;
    let out_field = Arc::new(Field::new(field.name(), out_type(&input_type), true));
    if single {
        let array = outputs.into_iter().next().unwrap_or_else(unreachable_empty);
        let array =
            PyArray::try_new(array, out_field).map_err(|e| PyValueError::new_err(e.to_string()))?;
        // pyarrow imports it through the PyCapsule interface, without a copy.
        py.import("pyarrow")?
            .getattr("array")?
            .call1((array.into_pyobject(py)?,))
    } else {
        PyChunkedArray::try_new(outputs, out_field)?.into_pyarrow(py)
    }
}

// ---------------------------------------------------------------------------------------
// Kernels whose rows are not one short string: validity, types, regions, formats, scrubbed
// text and the numbers found in text.

/// The per-value work of `is_valid`, `number_type`, `region_code`, `format`, `scrub` and
/// `find`, and the array their results make.
trait RowKernel: Sync {
    /// One row's result.
    type Value: Send;

    /// The result for one value: `None` for a null out that is no failure (a number in no
    /// region).
    fn apply(&self, text: &str) -> Result<Option<Self::Value>, Fail>;

    /// The type of the values, for an input of type `input`.
    fn value_type(&self, input: &DataType) -> DataType;

    /// The array of `values` (null where `None`), of [`value_type`](Self::value_type).
    fn build(&self, values: Vec<Option<Self::Value>>, input: &DataType) -> Result<ArrayRef, Fail>;
}

/// The results of a run of consecutive rows of a [`RowKernel`]: each row's value (`None`
/// for a null), and, with `errors="column"`, its reason code.
struct RowPiece<V> {
    values: Vec<Option<V>>,
    codes: Vec<Option<&'static str>>,
}

fn run_rows_of<'a, K: RowKernel>(
    values: impl Iterator<Item = Option<&'a str>>,
    len: usize,
    kernel: &K,
    errors: Errors,
    row0: usize,
) -> Result<RowPiece<K::Value>, RowFail> {
    let mut piece = RowPiece {
        values: Vec::with_capacity(len),
        codes: Vec::with_capacity(if errors == Errors::Column { len } else { 0 }),
    };
    for (i, value) in values.enumerate() {
        let (value, code) = match value.map(|text| kernel.apply(text)) {
            None => (None, None),
            Some(Ok(value)) => (value, None),
            Some(Err(fail)) if errors == Errors::Raise => {
                return Err(RowFail {
                    row: row0 + i,
                    fail,
                })
            }
            Some(Err(fail)) => (None, Some(fail.code())),
        };
        piece.values.push(value);
        if errors == Errors::Column {
            piece.codes.push(code);
        }
    }
    Ok(piece)
}

/// Runs `kernel` over one string array (its type checked by the caller).
fn run_rows<K: RowKernel>(
    array: &dyn Array,
    kernel: &K,
    errors: Errors,
    row0: usize,
) -> Result<RowPiece<K::Value>, RowFail> {
    let n = array.len();
    if let Some(a) = array.as_string_opt::<i64>() {
        return run_rows_of(a.iter(), n, kernel, errors, row0);
    }
    if let Some(a) = array.as_string_view_opt() {
        return run_rows_of(a.iter(), n, kernel, errors, row0);
    }
    match array.as_string_opt::<i32>() {
        Some(a) => run_rows_of(a.iter(), n, kernel, errors, row0),
        None => Ok(RowPiece {
            values: Vec::new(),
            codes: Vec::new(),
        }),
    }
}

/// The output type of `kernel` with `errors`: its values, or with `errors="column"` a struct
/// of them and the reason code.
fn row_output_type<K: RowKernel>(kernel: &K, input: &DataType, errors: Errors) -> DataType {
    let value = kernel.value_type(input);
    match errors {
        Errors::Column => DataType::Struct(row_fields(value, input)),
        _ => value,
    }
}

fn row_fields(value: DataType, input: &DataType) -> Fields {
    Fields::from(vec![
        Field::new("value", value, true),
        // The string type of the input's, as the other kernels' `error` field.
        Field::new("error", value_type(input), true),
    ])
}

fn assemble_rows<K: RowKernel>(
    kernel: &K,
    pieces: Vec<RowPiece<K::Value>>,
    input: &DataType,
    errors: Errors,
) -> Result<ArrayRef, Fail> {
    let rows = pieces.iter().map(|p| p.values.len()).sum();
    let mut values = Vec::with_capacity(rows);
    let mut codes = Vec::with_capacity(if errors == Errors::Column { rows } else { 0 });
    for piece in pieces {
        values.extend(piece.values);
        codes.extend(piece.codes);
    }
    let values = kernel.build(values, input)?;
    if errors != Errors::Column {
        return Ok(values);
    }
    let codes: ArrayRef = match value_type(input) {
        DataType::LargeUtf8 => Arc::new(GenericStringArray::<i64>::from(codes)),
        _ => Arc::new(GenericStringArray::<i32>::from(codes)),
    };
    let fields = row_fields(values.data_type().clone(), input);
    Ok(Arc::new(StructArray::new(
        fields,
        vec![values, codes],
        None,
    )))
}

/// Runs `kernel` over `arr` as [`column`] runs an [`Op`].
fn row_column<'py, K: RowKernel>(
    py: Python<'py>,
    arr: AnyArray,
    kernel: K,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let errors = errors_arg(errors)?;
    strings_column(
        py,
        arr,
        |input| row_output_type(&kernel, input, errors),
        |input, chunks| {
            run_chunks(
                chunks,
                parallel,
                |slice, row0| run_rows(slice, &kernel, errors, row0),
                |pieces| assemble_rows(&kernel, pieces, input, errors),
            )
        },
    )
}

/// A string array of `values`, of the input's string type (large for large in). Its text
/// buffer is sized exactly before it is filled, so it never grows and leaves no copy of a
/// value behind in freed memory (the values may be numbers and the texts that hold them).
fn strings_array<S: AsRef<str>>(values: &[Option<S>], input: &DataType) -> Result<ArrayRef, Fail> {
    let values = values.iter().map(|v| v.as_ref().map(AsRef::as_ref));
    Ok(match value_type(input) {
        DataType::LargeUtf8 => Arc::new(exact_strings::<i64>(values)?),
        _ => Arc::new(exact_strings::<i32>(values)?),
    })
}

/// The string array of `values`, its text buffer sized in a first pass over them.
fn exact_strings<'a, O: OffsetSizeTrait>(
    values: impl Iterator<Item = Option<&'a str>> + Clone,
) -> Result<GenericStringArray<O>, Fail> {
    let (rows, bytes) = values.clone().fold((0, 0), |(rows, bytes), v| {
        (rows + 1, bytes + v.map_or(0, str::len))
    });
    let too_long = Fail::Internal("column-too-long");
    let mut text = Vec::with_capacity(bytes);
    let mut offsets = Vec::with_capacity(rows + 1);
    let mut nulls = NullBufferBuilder::new(rows);
    offsets.push(O::usize_as(0));
    for value in values {
        match value {
            Some(v) => {
                text.extend_from_slice(v.as_bytes());
                nulls.append_non_null();
            }
            None => nulls.append_null(),
        }
        offsets.push(O::from_usize(text.len()).ok_or(too_long)?);
    }
    GenericStringArray::<O>::try_new(
        OffsetBuffer::new(ScalarBuffer::from(offsets)),
        Buffer::from_vec(text),
        nulls.finish(),
    )
    .map_err(|_| Fail::Internal("bad-column"))
}

/// libphonenumber's `isValidNumber` of each value.
struct IsValid {
    region: Option<Region>,
}

impl RowKernel for IsValid {
    type Value = bool;

    fn apply(&self, text: &str) -> Result<Option<bool>, Fail> {
        let number = phonetoken::parse(text, self.region).map_err(Fail::Parse)?;
        Ok(Some(number.is_valid()))
    }

    fn value_type(&self, _input: &DataType) -> DataType {
        DataType::Boolean
    }

    fn build(&self, values: Vec<Option<bool>>, _input: &DataType) -> Result<ArrayRef, Fail> {
        Ok(Arc::new(BooleanArray::from(values)))
    }
}

/// libphonenumber's `getNumberType` of each value, by its name (`NumberType::as_str`, as
/// `normalize --with-type` prints it).
struct TypeOf {
    region: Option<Region>,
}

impl RowKernel for TypeOf {
    type Value = &'static str;

    fn apply(&self, text: &str) -> Result<Option<&'static str>, Fail> {
        let number = phonetoken::parse(text, self.region).map_err(Fail::Parse)?;
        Ok(Some(number.number_type().as_str()))
    }

    fn value_type(&self, input: &DataType) -> DataType {
        value_type(input)
    }

    fn build(&self, values: Vec<Option<&'static str>>, input: &DataType) -> Result<ArrayRef, Fail> {
        strings_array(&values, input)
    }
}

/// libphonenumber's `getRegionCodeForNumber` of each value.
struct RegionOf {
    region: Option<Region>,
}

/// A region code: two letters, or `001` for a non-geographic calling code.
enum RegionText {
    Region(Region),
    NonGeographic,
}

impl AsRef<str> for RegionText {
    fn as_ref(&self) -> &str {
        match self {
            RegionText::Region(region) => region.as_str(),
            RegionText::NonGeographic => "001",
        }
    }
}

impl RowKernel for RegionOf {
    type Value = RegionText;

    fn apply(&self, text: &str) -> Result<Option<RegionText>, Fail> {
        let number = phonetoken::parse(text, self.region).map_err(Fail::Parse)?;
        // As `normalize --with-region` writes it: `001` for a non-geographic calling code,
        // nothing (here a null) when no region's plan takes the number.
        Ok(match number.region() {
            Some(region) => Some(RegionText::Region(region)),
            None if number.country_code().is_non_geographic() => Some(RegionText::NonGeographic),
            None => None,
        })
    }

    fn value_type(&self, input: &DataType) -> DataType {
        value_type(input)
    }

    fn build(&self, values: Vec<Option<RegionText>>, input: &DataType) -> Result<ArrayRef, Fail> {
        strings_array(&values, input)
    }
}

/// Each value formatted for people (`PhoneNumber::format`, as `detokenize --format`).
struct FormatAs {
    region: Option<Region>,
    format: Format,
}

impl RowKernel for FormatAs {
    type Value = Zeroizing<String>;

    fn apply(&self, text: &str) -> Result<Option<Zeroizing<String>>, Fail> {
        let number = phonetoken::parse(text, self.region).map_err(Fail::Parse)?;
        let mut buf = Zeroizing::new([0u8; MAX_FORMATTED_LEN]);
        let shown = number
            .format(self.format, &mut *buf)
            .map_err(|_| Fail::Internal("buffer-too-small"))?;
        Ok(Some(Zeroizing::new(shown.to_owned())))
    }

    fn value_type(&self, input: &DataType) -> DataType {
        value_type(input)
    }

    fn build(
        &self,
        values: Vec<Option<Zeroizing<String>>>,
        input: &DataType,
    ) -> Result<ArrayRef, Fail> {
        strings_array(&values, input)
    }
}

/// `scrub`'s replacement, owning its keys.
enum ScrubWith {
    Pseudonym { keys: Keys, length: Option<usize> },
    Token { keys: Keys, context: Vec<u8> },
    E164,
    Mask { visible: u8 },
}

/// Each text with its numbers replaced: the library's `Scrubber`, as `phonetoken scrub`.
struct ScrubText {
    with: ScrubWith,
    region: Option<Region>,
    leniency: Leniency,
    max_tries: u32,
}

impl RowKernel for ScrubText {
    type Value = Zeroizing<String>;

    fn apply(&self, text: &str) -> Result<Option<Zeroizing<String>>, Fail> {
        let replacement = match &self.with {
            ScrubWith::Pseudonym { keys, length } => Replacement::Pseudonym {
                keyset: keys,
                length: *length,
            },
            ScrubWith::Token { keys, context } => Replacement::Token {
                keyset: keys,
                context,
            },
            ScrubWith::E164 => Replacement::E164,
            ScrubWith::Mask { visible } => Replacement::Masked { visible: *visible },
        };
        Scrubber::new(replacement, self.region)
            .leniency(self.leniency)
            .max_tries(self.max_tries)
            .scrub(text)
            .map(|scrubbed| Some(Zeroizing::new(scrubbed)))
            .map_err(Fail::Find)
    }

    fn value_type(&self, input: &DataType) -> DataType {
        value_type(input)
    }

    fn build(
        &self,
        values: Vec<Option<Zeroizing<String>>>,
        input: &DataType,
    ) -> Result<ArrayRef, Fail> {
        strings_array(&values, input)
    }
}

/// The numbers found in one text, in memory wiped when freed: each number's E.164 form back
/// to back, then the spans' text back to back.
struct FoundIn {
    /// Each match's start and end in the text, and its number's length in `numbers`.
    spans: Vec<(usize, usize, usize)>,
    numbers: Zeroizing<Vec<u8>>,
    raw: Zeroizing<Vec<u8>>,
}

impl FoundIn {
    /// Each match's start, end, number and text.
    fn items(&self) -> impl Iterator<Item = (usize, usize, &str, &str)> + Clone + '_ {
        self.spans
            .iter()
            .scan((0, 0), move |(number_at, raw_at), &(start, end, len)| {
                let number = self.numbers.get(*number_at..*number_at + len)?;
                let raw = self.raw.get(*raw_at..*raw_at + (end - start))?;
                *number_at += len;
                *raw_at += end - start;
                // Pushed whole from `&str`s, so UTF-8.
                Some((
                    start,
                    end,
                    std::str::from_utf8(number).unwrap_or_default(),
                    std::str::from_utf8(raw).unwrap_or_default(),
                ))
            })
    }
}

/// The numbers in each text: the library's `find_numbers`.
struct FindIn {
    region: Option<Region>,
    leniency: Leniency,
    max_tries: u32,
}

impl FindIn {
    fn item_fields(input: &DataType) -> Fields {
        Fields::from(vec![
            // Nullable as the engines' own types are (Spark's and DuckDB's), though never null.
            Field::new("start", DataType::Int64, true),
            Field::new("end", DataType::Int64, true),
            Field::new("number", value_type(input), true),
            Field::new("raw", value_type(input), true),
        ])
    }

    fn item_field(input: &DataType) -> Arc<Field> {
        Arc::new(Field::new(
            "item",
            DataType::Struct(FindIn::item_fields(input)),
            true,
        ))
    }
}

impl RowKernel for FindIn {
    type Value = FoundIn;

    fn apply(&self, text: &str) -> Result<Option<FoundIn>, Fail> {
        let mut matches = find_numbers(text, self.region)
            .leniency(self.leniency)
            .max_tries(self.max_tries);
        let mut found = FoundIn {
            spans: Vec::new(),
            numbers: Zeroizing::new(Vec::new()),
            raw: Zeroizing::new(Vec::new()),
        };
        for m in &mut matches {
            let number = m.number();
            push_wiped(&mut found.numbers, number.as_str().as_bytes());
            found
                .spans
                .push((m.start(), m.end(), number.as_str().len()));
        }
        // A search that gave up may have left numbers behind: a failure, as `scrub` says.
        if matches.gave_up() {
            return Err(Fail::Find(ScrubError::TooManyCandidates));
        }
        // Only the spans are kept of the text, in a buffer of their exact size.
        let spanned = found.spans.iter().map(|&(start, end, _)| end - start).sum();
        found.raw.reserve_exact(spanned);
        for &(start, end, _) in &found.spans {
            found
                .raw
                .extend_from_slice(text.get(start..end).unwrap_or_default().as_bytes());
        }
        Ok(Some(found))
    }

    fn value_type(&self, input: &DataType) -> DataType {
        DataType::List(FindIn::item_field(input))
    }

    fn build(&self, values: Vec<Option<FoundIn>>, input: &DataType) -> Result<ArrayRef, Fail> {
        let too_long = Fail::Internal("column-too-long");
        let mut offsets = Vec::with_capacity(values.len() + 1);
        offsets.push(0i32);
        let mut nulls = NullBufferBuilder::new(values.len());
        let (mut starts, mut ends) = (Vec::new(), Vec::new());
        for value in &values {
            match value {
                Some(found) => {
                    for (start, end, _, _) in found.items() {
                        starts.push(i64::try_from(start).map_err(|_| too_long)?);
                        ends.push(i64::try_from(end).map_err(|_| too_long)?);
                    }
                    nulls.append_non_null();
                }
                None => nulls.append_null(),
            }
            offsets.push(i32::try_from(starts.len()).map_err(|_| too_long)?);
        }
        let items = values.iter().flatten().flat_map(FoundIn::items);
        let numbers = items.clone().map(|(_, _, number, _)| Some(number));
        let raws = items.map(|(_, _, _, raw)| Some(raw));
        let (numbers, raws): (ArrayRef, ArrayRef) = match value_type(input) {
            DataType::LargeUtf8 => (
                Arc::new(exact_strings::<i64>(numbers)?),
                Arc::new(exact_strings::<i64>(raws)?),
            ),
            _ => (
                Arc::new(exact_strings::<i32>(numbers)?),
                Arc::new(exact_strings::<i32>(raws)?),
            ),
        };
        let items = StructArray::try_new(
            FindIn::item_fields(input),
            vec![
                Arc::new(Int64Array::from(starts)),
                Arc::new(Int64Array::from(ends)),
                numbers,
                raws,
            ],
            None,
        )
        .map_err(|_| Fail::Internal("bad-column"))?;
        let list = ListArray::try_new(
            FindIn::item_field(input),
            OffsetBuffer::new(ScalarBuffer::from(offsets)),
            Arc::new(items),
            nulls.finish(),
        )
        .map_err(|_| Fail::Internal("bad-column"))?;
        Ok(Arc::new(list))
    }
}

fn leniency_arg(text: &str) -> PyResult<Leniency> {
    match text {
        "valid" => Ok(Leniency::Valid),
        "possible" => Ok(Leniency::Possible),
        _ => Err(PyValueError::new_err(format!(
            "leniency={text:?}: give \"valid\" (valid numbers written as their country writes them, libphonenumber's default) or \"possible\" (numbers of a possible length)"
        ))),
    }
}

/// The names of `phonetoken detokenize --format`.
fn style_arg(text: &str, visible: u8) -> PyResult<Format> {
    match text {
        "e164" => Ok(Format::E164),
        "international" => Ok(Format::International),
        "national" => Ok(Format::National),
        "rfc3966" => Ok(Format::Rfc3966),
        "masked" => Ok(Format::Masked { visible }),
        _ => Err(PyValueError::new_err(format!(
            "style={text:?}: give \"e164\", \"international\", \"national\", \"rfc3966\" or \"masked\""
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Keysets.

fn keyset_error(py: Python<'_>, code: &str, message: String) -> PyErr {
    error(py, "keyset", code, message, None)
}

fn keystore_error(py: Python<'_>, e: KeystoreError) -> PyErr {
    keyset_error(py, e.kind().code(), e.to_string())
}

/// The place a keyset is loaded into: on the heap, so the keys are written once, where they
/// stay (a keyset returned by value leaves a copy in a stack frame no one wipes).
fn placeholder() -> PyResult<Box<Keyset>> {
    // All-zero keys of the right lengths, replaced by the load; no secret.
    let key = |e: phonetoken::KeyError| PyValueError::new_err(e.to_string());
    Ok(Box::new(Keyset::new(
        0,
        PseudonymKey::from_bytes(&[0; 32]).map_err(key)?,
        TokenKey::from_bytes(&[0; 64]).map_err(key)?,
    )))
}

/// Held while a master key is open (see `load_keyset`).
static MASTER_KEY_OPENING: Mutex<()> = Mutex::new(());

/// The master key's URI: `master_key` if given, else `PHONETOKEN_MASTER_KEY`, if set.
fn master_uri(py: Python<'_>, master_key: Option<&str>) -> PyResult<Option<MasterKeyUri>> {
    match master_key {
        Some(text) => MasterKeyUri::parse(text)
            .map(Some)
            .map_err(|e| keystore_error(py, e.context("master_key"))),
        None => MasterKeyUri::from_env().map_err(|e| keystore_error(py, e)),
    }
}

/// Warns (a `KeysetPermissionWarning`), or with `strict` refuses, when other users can read
/// the plaintext keys in `path` or change the file, as the tool does.
fn check_permissions(py: Python<'_>, path: &Path, encrypted: bool, strict: bool) -> PyResult<()> {
    let Some(problem) = permission_problem(path, encrypted) else {
        return Ok(());
    };
    let message = format!(
        "the keyset file {} {problem}; run `chmod 600` on it",
        shown_path(path)
    );
    if strict {
        return Err(keyset_error(
            py,
            "permissions",
            format!("{message} (strict_permissions refuses it)"),
        ));
    }
    warn(py, "KeysetPermissionWarning", message)
}

/// Issues a warning of the class `category` of `phonetoken._errors`, pointing at the caller.
fn warn(py: Python<'_>, category: &str, message: String) -> PyResult<()> {
    let category = py.import("phonetoken._errors")?.getattr(category)?;
    // Messages are ours and hold no NUL; one that did would lose its text, not panic.
    let message = std::ffi::CString::new(message).unwrap_or_default();
    PyErr::warn(py, &category, &message, 2)
}

/// A keyset error whose path came from `PHONETOKEN_KEYSET`, saying so.
fn annotate_env(py: Python<'_>, e: PyErr) -> PyErr {
    let value = e.value(py);
    let (Ok(code), Ok(message)) = (
        value.getattr("code").and_then(|c| c.extract::<String>()),
        value.str().map(|m| m.to_string()),
    ) else {
        return e;
    };
    keyset_error(
        py,
        &code,
        format!("{message} (the path was named by {KEYSET_ENV})"),
    )
}

fn load_keyset(
    py: Python<'_>,
    text: &str,
    master_key: Option<&str>,
    what: &str,
) -> PyResult<Box<Keyset>> {
    // Checked even when the keyset turns out plaintext, so a bad URI is never passed over.
    let uri = master_uri(py, master_key)?;
    let mut keyset = placeholder()?;
    match KeysetFileKind::of(text) {
        KeysetFileKind::Encrypted => {
            let Some(uri) = uri else {
                return Err(keyset_error(
                    py,
                    "encrypted",
                    format!("{what} is encrypted: pass master_key=\"file:PATH\" or a pkcs11: URI (or set {MASTER_KEY_ENV}) naming the master key that sealed it"),
                ));
            };
            // Logging in to a token can take a while: other Python threads run meanwhile,
            // but one at a time opens a master key, since a PKCS#11 module is initialized
            // and finalized once per process.
            let opened = py.detach(|| {
                let _one = MASTER_KEY_OPENING.lock().unwrap_or_else(|e| e.into_inner());
                match uri.open() {
                    Ok(master) => Ok(keyset.load_encrypted_json(text, &*master, b"")),
                    Err(e) => Err(e),
                }
            });
            opened
                .map_err(|e| keystore_error(py, e))?
                .map_err(|e: EncryptedKeysetError| {
                    keyset_error(py, "encrypted-keyset", format!("{what}: {e}"))
                })?;
        }
        KeysetFileKind::TinkCleartext => {
            return Err(keyset_error(
                py,
                "tink-keyset",
                format!("{what} is a Tink keyset, not a phonetoken keyset: convert it with `phonetoken keyset import-tink --input FILE --output NEW`"),
            ))
        }
        _ => {
            if master_key.is_some() {
                warn(
                    py,
                    "KeysetWarning",
                    format!("{what} is not encrypted, so master_key is not used (`phonetoken keyset encrypt` seals it)"),
                )?;
            }
            keyset
                .load_json(text)
                .map_err(|e| keyset_error(py, "keyset-file", format!("{what}: {e}")))?;
        }
    }
    Ok(keyset)
}

/// Reads, checks and loads the keyset file at `path`.
fn load_keyset_file(
    py: Python<'_>,
    path: &Path,
    master_key: Option<&str>,
    strict_permissions: bool,
) -> PyResult<Box<Keyset>> {
    let text = read_secret(path, "keyset file").map_err(|e| keystore_error(py, e))?;
    let encrypted = KeysetFileKind::of(&text) == KeysetFileKind::Encrypted;
    check_permissions(py, path, encrypted, strict_permissions)?;
    let what = format!("the keyset file {}", shown_path(path));
    load_keyset(py, &text, master_key, &what)
}

/// A phonetoken keyset: pseudonym and token keys, loaded from the files `phonetoken keygen`
/// writes. The keys stay in Rust memory, wiped when the keyset is freed; no Python object
/// ever holds them, and `repr()` shows only key ids. Load it with `Keyset.from_file` or
/// `Keyset.from_json`.
#[pyclass(module = "phonetoken", name = "Keyset", frozen)]
struct PyKeyset {
    base: Keys,
    /// Keys derived per purpose, made on first use (HKDF; the tool's `--purpose`).
    purposes: Mutex<Vec<(String, Keys)>>,
}

impl PyKeyset {
    fn new(base: Box<Keyset>) -> PyKeyset {
        PyKeyset {
            base: Arc::new(base),
            purposes: Mutex::new(Vec::new()),
        }
    }

    /// The keys for `purpose` (the file's own without one).
    fn keys(&self, py: Python<'_>, purpose: Option<&str>) -> PyResult<Keys> {
        let Some(purpose) = purpose else {
            return Ok(self.base.clone());
        };
        let mut cache = self
            .purposes
            .lock()
            .map_err(|_| PyValueError::new_err("keyset: a thread panicked while deriving keys"))?;
        if let Some((_, keys)) = cache.iter().find(|(p, _)| p == purpose) {
            return Ok(keys.clone());
        }
        // A copy of the keys made in place on the heap (through wiped JSON), then derived in
        // place, as the tool's `--purpose` does: no copy is left on the stack.
        let mut derived = placeholder()?;
        derived
            .load_json(&self.base.to_json())
            .map_err(|e| keyset_error(py, "keyset-file", e.to_string()))?;
        derived
            .for_purpose_in_place(purpose)
            .map_err(|e| error(py, "key", "bad-purpose", format!("purpose: {e}"), None))?;
        let derived = Arc::new(derived);
        cache.push((purpose.to_owned(), derived.clone()));
        Ok(derived)
    }
}

#[pymethods]
impl PyKeyset {
    /// Loads a keyset file made by `phonetoken keygen` (plain JSON, or sealed under a
    /// master key with `--master-key`).
    ///
    /// `master_key`: for an encrypted keyset, the master key that sealed it, as the tool's
    /// `--master-key` names it: `"file:PATH"` (a Tink AES-GCM keyset file, as `phonetoken
    /// master-key new` makes) or an RFC 7512 `pkcs11:` URI naming an AES key inside a token
    /// (its PIN from `pin-source=FILE` or `PHONETOKEN_PKCS11_PIN`). Without it,
    /// `PHONETOKEN_MASTER_KEY` is used when set.
    ///
    /// A file that users other than its owner can change, or read when it holds plaintext
    /// keys, gives a `KeysetPermissionWarning`; with `strict_permissions=True` it is refused.
    ///
    /// Raises `KeysetFileError` when the file cannot be read or is not a keyset, or the
    /// master key cannot be opened; the message never shows key material.
    #[staticmethod]
    #[pyo3(signature = (path, *, master_key=None, strict_permissions=false))]
    fn from_file(
        py: Python<'_>,
        path: std::path::PathBuf,
        master_key: Option<&str>,
        strict_permissions: bool,
    ) -> PyResult<PyKeyset> {
        Ok(PyKeyset::new(load_keyset_file(
            py,
            &path,
            master_key,
            strict_permissions,
        )?))
    }

    /// Loads the keyset file named by the `PHONETOKEN_KEYSET` environment variable, as the
    /// tool does without `--keyset`; `master_key` and `strict_permissions` as in `from_file`.
    /// Raises `KeysetFileError` when the variable is not set or holds no path.
    #[staticmethod]
    #[pyo3(signature = (*, master_key=None, strict_permissions=false))]
    fn from_env(
        py: Python<'_>,
        master_key: Option<&str>,
        strict_permissions: bool,
    ) -> PyResult<PyKeyset> {
        let path = keyset_path_from_env()
            .map_err(|e| keystore_error(py, e))?
            .ok_or_else(|| {
                keyset_error(
                    py,
                    "no-keyset",
                    format!("no keyset: set {KEYSET_ENV} to the keyset file's path, or use Keyset.from_file"),
                )
            })?;
        let keyset = load_keyset_file(py, &path, master_key, strict_permissions)
            .map_err(|e| annotate_env(py, e))?;
        Ok(PyKeyset::new(keyset))
    }

    /// Loads a keyset from the text of a keyset file (see `from_file`). The text is a
    /// Python string, so it stays in Python's memory for as long as the caller keeps it:
    /// prefer `from_file`, or an encrypted keyset's text.
    #[staticmethod]
    #[pyo3(signature = (text, *, master_key=None))]
    fn from_json(py: Python<'_>, text: &str, master_key: Option<&str>) -> PyResult<PyKeyset> {
        Ok(PyKeyset::new(load_keyset(
            py,
            text,
            master_key,
            "the keyset",
        )?))
    }

    /// The id of the primary key (the one new pseudonyms and tokens are made with).
    #[getter]
    fn primary_key_id(&self) -> u32 {
        self.base.primary_key_id()
    }

    /// Every key's id, the primary first.
    #[getter]
    fn key_ids(&self) -> Vec<u32> {
        self.base.keys().map(|k| k.id).collect()
    }

    /// The keyed pseudonym of one phone number: HMAC-SHA256 of its E.164 form under the
    /// primary key (derived for `purpose` if given), the first `length` bytes, in
    /// `encoding`. Raises a `ParseError` subclass when the text is not a number.
    #[pyo3(signature = (text, *, region=None, purpose=None, encoding="base64url", length=32))]
    fn pseudonymize(
        &self,
        py: Python<'_>,
        text: &str,
        region: Option<&str>,
        purpose: Option<&str>,
        encoding: &str,
        length: usize,
    ) -> PyResult<String> {
        let op = Op::Pseudonymize {
            keys: self.keys(py, purpose)?,
            region: region_arg(region)?,
            encoding: encoding_arg(encoding)?,
            length: length_arg(length)?,
        };
        scalar(py, &op, text)
    }

    /// The reversible token of one phone number (AES-SIV in Tink's format, base64url),
    /// bound to `context` (text or bytes; `detokenize` needs the same). Raises a
    /// `ParseError` subclass when the text is not a number.
    #[pyo3(signature = (text, context, *, region=None, purpose=None))]
    fn tokenize(
        &self,
        py: Python<'_>,
        text: &str,
        context: Context,
        region: Option<&str>,
        purpose: Option<&str>,
    ) -> PyResult<String> {
        let op = Op::Tokenize {
            keys: self.keys(py, purpose)?,
            region: region_arg(region)?,
            context: context.into_bytes().into(),
        };
        scalar(py, &op, text)
    }

    /// The E.164 number inside a token made with this keyset and `context`. Raises a
    /// `TokenError` subclass when it does not open (`TokenError.Authentication` for a wrong
    /// key, context or an altered token).
    #[pyo3(signature = (token, context, *, purpose=None))]
    fn detokenize(
        &self,
        py: Python<'_>,
        token: &str,
        context: Context,
        purpose: Option<&str>,
    ) -> PyResult<String> {
        let op = Op::Detokenize {
            keys: self.keys(py, purpose)?,
            context: context.into_bytes().into(),
        };
        scalar(py, &op, token)
    }

    fn __repr__(&self) -> String {
        format!(
            "Keyset(primary_key_id={}, key_ids={:?})",
            self.base.primary_key_id(),
            self.key_ids()
        )
    }

    /// Keysets are not pickled (that would copy the keys into the pickle): load the keyset
    /// from its file where it is needed.
    fn __reduce__(&self) -> PyResult<Bound<'_, PyBytes>> {
        Err(PyTypeError::new_err(
            "a phonetoken Keyset is not pickled, so its keys are never copied: pass the keyset file's path and load it where it is used (phonetoken.spark does this per executor)",
        ))
    }
}

fn scalar(py: Python<'_>, op: &Op, text: &str) -> PyResult<String> {
    op.apply(text)
        .map(|t| t.as_str().to_owned())
        .map_err(|f| fail_error(py, f, None))
}

// ---------------------------------------------------------------------------------------
// Module functions.

/// The E.164 form of one phone number written in any way (`region`: where numbers
/// without `+` and a country code were written, e.g. "US"). Raises a `ParseError`
/// subclass when the text is not a possible number.
#[pyfunction]
#[pyo3(signature = (text, region=None))]
fn parse(py: Python<'_>, text: &str, region: Option<&str>) -> PyResult<String> {
    scalar(
        py,
        &Op::Normalize {
            region: region_arg(region)?,
        },
        text,
    )
}

/// E.164 for every value of a string column.
///
/// `arr`: a pyarrow Array or ChunkedArray of strings (utf8, large_utf8 or utf8_view), or
/// any object with `__arrow_c_array__` / `__arrow_c_stream__`. Gives a pyarrow Array for
/// an array, a ChunkedArray for a chunked array or stream. Null in gives null out.
///
/// `region`: where numbers written without `+` and a country code were written ("US").
/// `errors`: a value that is not a number gives null (`"null"`, the default), raises a
/// `ParseError` subclass naming the row and reason code (`"raise"`), or gives a struct
/// column of `value` and `error` (the reason code) (`"column"`).
/// `parallel`: split large arrays across cores (off by default: Spark already runs one
/// task per core).
#[pyfunction]
#[pyo3(signature = (arr, region=None, *, errors="null", parallel=false))]
fn normalize<'py>(
    py: Python<'py>,
    arr: AnyArray,
    region: Option<&str>,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let op = Op::Normalize {
        region: region_arg(region)?,
    };
    column(py, arr, op, errors, parallel)
}

/// Keyed pseudonyms for every value of a string column, for joins and lookups.
///
/// Each value is parsed as `phonetoken.parse` does; its pseudonym is HMAC-SHA256 of the
/// E.164 text under the keyset's primary pseudonym key (derived for `purpose` if given),
/// cut to its first `length` bytes. The same text as `phonetoken pseudonymize` with the
/// same `--region`, `--purpose`, `--encoding` and `--length`.
///
/// Arguments:
///     arr: a pyarrow Array or ChunkedArray of strings (utf8, large_utf8 or utf8_view), or
///         any object with `__arrow_c_array__` / `__arrow_c_stream__`.
///     keyset: a `phonetoken.Keyset`.
///     region: where numbers written without `+` and a country code were written, e.g.
///         "US"; without it such numbers fail with `missing-region`.
///     purpose: a label (1 to 255 bytes) whose derived keys give pseudonyms that cannot
///         be joined with those of other purposes.
///     encoding: "base64url" (no padding, the default), "base64" (padded) or "hex".
///     length: bytes kept, 8 to 32 (all 32 by default; 16 is safe for any population of
///         phone numbers).
///     errors: what a value that is not a number gives: null ("null", the default), a
///         `ParseError` subclass naming the row and reason code ("raise"), or, with
///         "column", a struct column of `value` and `error` (the reason code).
///     parallel: split large arrays across cores (off by default: Spark already runs
///         one task per core).
///
/// Returns a pyarrow Array for an array, a ChunkedArray for a chunked array or stream:
/// strings (large_string for large_string in), null where the input is null.
#[pyfunction]
#[pyo3(signature = (arr, keyset, region=None, purpose=None, encoding="base64url", length=32, *, errors="null", parallel=false))]
#[allow(clippy::too_many_arguments)]
fn pseudonymize<'py>(
    py: Python<'py>,
    arr: AnyArray,
    keyset: &PyKeyset,
    region: Option<&str>,
    purpose: Option<&str>,
    encoding: &str,
    length: usize,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let op = Op::Pseudonymize {
        keys: keyset.keys(py, purpose)?,
        region: region_arg(region)?,
        encoding: encoding_arg(encoding)?,
        length: length_arg(length)?,
    };
    column(py, arr, op, errors, parallel)
}

/// Reversible tokens for every value of a string column: AES-SIV in Tink's
/// DeterministicAead format under the keyset's primary key (derived for `purpose` if
/// given), bound to `context` (text or bytes, e.g. a table name), in base64url. The same
/// text as `phonetoken tokenize --context CONTEXT`; Tink opens them with the keyset that
/// `phonetoken keyset export-tink` prints.
///
/// `arr`, `region`, `purpose`, `errors` and `parallel` as in `pseudonymize`; `detokenize`
/// with the same keyset, purpose and context gives the E.164 numbers back.
#[pyfunction]
#[pyo3(signature = (arr, keyset, context, region=None, purpose=None, *, errors="null", parallel=false))]
#[allow(clippy::too_many_arguments)]
fn tokenize<'py>(
    py: Python<'py>,
    arr: AnyArray,
    keyset: &PyKeyset,
    context: Context,
    region: Option<&str>,
    purpose: Option<&str>,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let op = Op::Tokenize {
        keys: keyset.keys(py, purpose)?,
        region: region_arg(region)?,
        context: context.into_bytes().into(),
    };
    column(py, arr, op, errors, parallel)
}

/// The E.164 numbers inside a column of tokens made with this keyset (and `purpose`) and
/// `context`. A token that does not open gives null, or with `errors="raise"` a
/// `TokenError` subclass naming the row (`TokenError.Authentication` for a wrong key,
/// purpose or context, or an altered token), or with `errors="column"` its reason code.
///
/// `arr`, `purpose` and `parallel` as in `pseudonymize`.
#[pyfunction]
#[pyo3(signature = (arr, keyset, context, purpose=None, *, errors="null", parallel=false))]
fn detokenize<'py>(
    py: Python<'py>,
    arr: AnyArray,
    keyset: &PyKeyset,
    context: Context,
    purpose: Option<&str>,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let op = Op::Detokenize {
        keys: keyset.keys(py, purpose)?,
        context: context.into_bytes().into(),
    };
    column(py, arr, op, errors, parallel)
}

/// Whether each value is a valid number: libphonenumber's `isValidNumber` (the number
/// matches a number-type pattern of its region's plan), as a boolean column.
///
/// `arr`, `region`, `errors` and `parallel` as in `normalize`: null in gives null out, and a
/// value that does not parse as a possible number fails with its `ParseError` reason (null,
/// an exception, or its code with `errors="column"`). A possible number that is not valid
/// gives `False`.
#[pyfunction]
#[pyo3(signature = (arr, region=None, *, errors="null", parallel=false))]
fn is_valid<'py>(
    py: Python<'py>,
    arr: AnyArray,
    region: Option<&str>,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kernel = IsValid {
        region: region_arg(region)?,
    };
    row_column(py, arr, kernel, errors, parallel)
}

/// Each value's number type as libphonenumber names it (`getNumberType`): `FIXED_LINE`,
/// `MOBILE`, `FIXED_LINE_OR_MOBILE`, `TOLL_FREE`, `PREMIUM_RATE`, `SHARED_COST`, `VOIP`,
/// `PERSONAL_NUMBER`, `PAGER`, `UAN`, `VOICEMAIL`, or `UNKNOWN` for a number that is not
/// valid; the names `phonetoken normalize --with-type` prints.
///
/// `arr`, `region`, `errors` and `parallel` as in `is_valid`.
#[pyfunction]
#[pyo3(signature = (arr, region=None, *, errors="null", parallel=false))]
fn number_type<'py>(
    py: Python<'py>,
    arr: AnyArray,
    region: Option<&str>,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kernel = TypeOf {
        region: region_arg(region)?,
    };
    row_column(py, arr, kernel, errors, parallel)
}

/// Each value's region as libphonenumber gives it (`getRegionCodeForNumber`): the region of
/// its calling code (for a shared code such as +1, the one whose plan takes the number),
/// `"001"` for a non-geographic code such as +800, and null when no region's plan takes the
/// number; as `phonetoken normalize --with-region` (which writes nothing there).
///
/// `arr`, `region`, `errors` and `parallel` as in `is_valid`.
#[pyfunction]
#[pyo3(signature = (arr, region=None, *, errors="null", parallel=false))]
fn region_code<'py>(
    py: Python<'py>,
    arr: AnyArray,
    region: Option<&str>,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kernel = RegionOf {
        region: region_arg(region)?,
    };
    row_column(py, arr, kernel, errors, parallel)
}

/// Each value formatted for people, as libphonenumber's `format()` writes it: `style` is
/// `"e164"` (`+14155552671`), `"international"` (`+1 415-555-2671`), `"national"`
/// (`(415) 555-2671`), `"rfc3966"` (`tel:+1-415-555-2671`) or `"masked"` (the international
/// layout with all but the last `visible` digits shown as `*`: `+1 ***-***-2671`); the
/// styles of `phonetoken detokenize --format` and its `--visible`.
///
/// `arr`, `region`, `errors` and `parallel` as in `is_valid`.
#[pyfunction]
#[pyo3(signature = (arr, style, region=None, visible=4, *, errors="null", parallel=false))]
fn format<'py>(
    py: Python<'py>,
    arr: AnyArray,
    style: &str,
    region: Option<&str>,
    visible: u8,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kernel = FormatAs {
        region: region_arg(region)?,
        format: style_arg(style, visible)?,
    };
    row_column(py, arr, kernel, errors, parallel)
}

/// Free text with every phone number in it replaced, the rest kept: each value as
/// `phonetoken scrub` writes the same line or cell.
///
/// Numbers are found as libphonenumber's `PhoneNumberMatcher` finds them (see `find`), and
/// replaced by `replace`:
///
/// - `"pseudonym"`: `[phone-pseudonym:…]`, the number's pseudonym under `keyset` (derived for
///   `purpose` if given), its first `length` bytes, in base64url;
/// - `"token"`: `[phone-token:…]`, its token bound to `context` (text or bytes; empty by
///   default), which `detokenize` opens;
/// - `"e164"`: its E.164 form;
/// - `"mask"`: the international layout with all but the last `visible` digits hidden.
///
/// Labelled values already in the text are left alone, so scrubbing scrubbed text changes
/// nothing. `keyset`, `purpose` and `context` are refused where `replace` does not use them.
/// `leniency`: `"valid"` (the default) or `"possible"`. `max_tries`: candidates that are not
/// numbers tried per value before the search gives up; a value where it gives up (or where
/// labelled replacements do not settle) fails with `too-many-candidates` (or
/// `too-many-rounds`): null, a `FindError` subclass with `errors="raise"`, or its code with
/// `errors="column"`, since numbers may be left in it. Null in gives null out.
#[pyfunction]
#[pyo3(signature = (arr, replace, keyset=None, region=None, leniency="valid", purpose=None, context=None, visible=4, length=32, max_tries=phonetoken::find::DEFAULT_MAX_TRIES, *, errors="null", parallel=false))]
#[allow(clippy::too_many_arguments)]
fn scrub<'py>(
    py: Python<'py>,
    arr: AnyArray,
    replace: &str,
    keyset: Option<&PyKeyset>,
    region: Option<&str>,
    leniency: &str,
    purpose: Option<&str>,
    context: Option<Context>,
    visible: u8,
    length: usize,
    max_tries: u32,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let keyed = matches!(replace, "pseudonym" | "token");
    let unused = [
        (keyset.is_some() && !keyed, "keyset"),
        (purpose.is_some() && !keyed, "purpose"),
        (context.is_some() && replace != "token", "context"),
    ];
    if let Some((_, name)) = unused.iter().find(|u| u.0) {
        return Err(PyValueError::new_err(format!(
            "{name} does not apply to replace={replace:?}: leave it out"
        )));
    }
    let keys = || match keyset {
        Some(k) => k.keys(py, purpose),
        None => Err(PyValueError::new_err(format!(
            "replace={replace:?} needs a keyset"
        ))),
    };
    let with = match replace {
        "pseudonym" => {
            let length = length_arg(length)?;
            ScrubWith::Pseudonym {
                keys: keys()?,
                // All 32 bytes is the tool's default, without `--length`.
                length: (length < 32).then_some(length),
            }
        }
        "token" => ScrubWith::Token {
            keys: keys()?,
            context: context.map(Context::into_bytes).unwrap_or_default(),
        },
        "e164" => ScrubWith::E164,
        "mask" => ScrubWith::Mask { visible },
        _ => {
            return Err(PyValueError::new_err(format!(
                "replace={replace:?}: give \"pseudonym\", \"token\", \"e164\" or \"mask\""
            )))
        }
    };
    let kernel = ScrubText {
        with,
        region: region_arg(region)?,
        leniency: leniency_arg(leniency)?,
        max_tries,
    };
    row_column(py, arr, kernel, errors, parallel)
}

/// The phone numbers written in each text, as libphonenumber's `PhoneNumberMatcher` finds
/// them: per row a list of structs `{start, end, number, raw}`, where `start` and `end` are
/// byte offsets into the value's UTF-8 text (`raw` is the text between them) and `number` is
/// the E.164 form. An empty list for a text with no number, null for a null.
///
/// `region`: where numbers written without `+` and a country code were written (without
/// it, only numbers written with `+` are found). `leniency`: `"valid"` (the default) or
/// `"possible"`. `max_tries`: as in `scrub`; a text where the search gives up fails with
/// `too-many-candidates`, as `errors` says. `parallel` as in `normalize`.
#[pyfunction]
#[pyo3(signature = (arr, region=None, leniency="valid", max_tries=phonetoken::find::DEFAULT_MAX_TRIES, *, errors="null", parallel=false))]
fn find<'py>(
    py: Python<'py>,
    arr: AnyArray,
    region: Option<&str>,
    leniency: &str,
    max_tries: u32,
    errors: &str,
    parallel: bool,
) -> PyResult<Bound<'py, PyAny>> {
    let kernel = FindIn {
        region: region_arg(region)?,
        leniency: leniency_arg(leniency)?,
        max_tries,
    };
    row_column(py, arr, kernel, errors, parallel)
}

/// The text of the encrypted keyset file at `path`, to ship where its master key is (the
/// executors of `phonetoken.spark.broadcast_keyset`); the text opens only under that master
/// key. Raises `KeysetFileError` (code `plaintext-keyset`) for any other file, so plaintext
/// keys never become a Python string.
#[pyfunction]
fn read_sealed_keyset(py: Python<'_>, path: std::path::PathBuf) -> PyResult<String> {
    let text = read_secret(&path, "keyset file").map_err(|e| keystore_error(py, e))?;
    match KeysetFileKind::of(&text) {
        KeysetFileKind::Encrypted => {
            check_permissions(py, &path, true, false)?;
            Ok(text.as_str().to_owned())
        }
        _ => Err(keyset_error(
            py,
            "plaintext-keyset",
            format!(
                "the keyset file {} is not encrypted, so its keys would be copied wherever it is sent: seal it with `phonetoken keyset encrypt --master-key URI`, or name its path on each machine",
                shown_path(&path)
            ),
        )),
    }
}

/// The libphonenumber release whose metadata the normalizer was generated from.
fn metadata_version() -> &'static str {
    phonetoken::metadata::VERSION
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyKeyset>()?;
    m.add_function(wrap_pyfunction!(parse, m)?)?;
    m.add_function(wrap_pyfunction!(normalize, m)?)?;
    m.add_function(wrap_pyfunction!(pseudonymize, m)?)?;
    m.add_function(wrap_pyfunction!(tokenize, m)?)?;
    m.add_function(wrap_pyfunction!(detokenize, m)?)?;
    m.add_function(wrap_pyfunction!(is_valid, m)?)?;
    m.add_function(wrap_pyfunction!(number_type, m)?)?;
    m.add_function(wrap_pyfunction!(region_code, m)?)?;
    m.add_function(wrap_pyfunction!(format, m)?)?;
    m.add_function(wrap_pyfunction!(scrub, m)?)?;
    m.add_function(wrap_pyfunction!(find, m)?)?;
    m.add_function(wrap_pyfunction!(read_sealed_keyset, m)?)?;
    m.add("METADATA_VERSION", metadata_version())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
