//! What the self-test adds to the image (feature `qemu`): output lines over ARM semihosting,
//! the painted-stack measure of each operation, the marker calls that tell the instruction
//! count (tools/firmware/trace.py) where an operation starts and ends, and the exit status.
//! Without the feature every function here only hands its data to `black_box`, so the
//! measured flash is the pipeline's.

use core::hint::black_box;

/// The measured operations: the names in the `stack.<name>` lines and in the markers.
#[derive(Clone, Copy)]
pub enum Op {
    Parse,
    Pseudonymize,
    Tokenize,
    Detokenize,
    #[cfg_attr(not(feature = "oprf"), allow(dead_code))]
    BlindOne,
    #[cfg_attr(not(feature = "oprf"), allow(dead_code))]
    FinalizeOne,
    #[cfg_attr(not(feature = "oprf"), allow(dead_code))]
    BlindBatch,
    #[cfg_attr(not(feature = "oprf"), allow(dead_code))]
    FinalizeBatch,
    #[cfg_attr(not(feature = "seal"), allow(dead_code))]
    Seal,
    #[cfg_attr(not(feature = "seal-xwing"), allow(dead_code))]
    SealXwing,
    #[cfg_attr(not(feature = "validate"), allow(dead_code))]
    Validate,
    #[cfg_attr(not(feature = "format"), allow(dead_code))]
    Format,
    #[cfg_attr(not(feature = "find"), allow(dead_code))]
    Find,
}

#[cfg(not(feature = "qemu"))]
mod imp {
    use super::{black_box, Op};

    /// A failed step; without output to print it to, the name is dropped (and its text with
    /// it, out of the flash figure).
    pub struct Failure;

    pub fn failure(_step: &'static str) -> Failure {
        Failure
    }
    pub fn report(_: &Failure) {}

    pub fn measure<I, R>(_: Op, input: I, f: impl FnOnce(I) -> R) -> R {
        f(input)
    }
    pub fn text(label: &str, value: &str) {
        black_box((label, value));
    }
    pub fn number(label: &str, value: &phonetoken::PhoneNumber) {
        black_box((label, value));
    }
    #[cfg_attr(not(any(feature = "oprf", feature = "seal")), allow(dead_code))]
    pub fn hex(label: &str, value: &[u8]) {
        black_box((label, value));
    }
    #[cfg_attr(not(feature = "find"), allow(dead_code))]
    pub fn count(label: &str, n: usize) {
        black_box((label, n));
    }
    #[cfg_attr(not(feature = "find"), allow(dead_code))]
    pub fn found(
        i: usize,
        span: (usize, usize),
        number: &phonetoken::PhoneNumber,
        pseudonym: &str,
    ) {
        black_box((i, span, number, pseudonym));
    }
    pub fn finish(ok: bool) -> ! {
        black_box(ok);
        loop {
            core::hint::spin_loop();
        }
    }
}

#[cfg(feature = "qemu")]
mod imp {
    use super::{black_box, Op};
    use core::arch::asm;
    use core::ptr;
    use phonetoken::Encoding;

    /// The step that failed, printed as `error <step>`.
    pub struct Failure(&'static str);

    pub fn failure(step: &'static str) -> Failure {
        Failure(step)
    }
    pub fn report(failure: &Failure) {
        text("error", failure.0);
    }

    // ---- ARM semihosting (the debugger interface QEMU implements with `-semihosting`).

    const SYS_WRITE0: usize = 0x04;
    const SYS_EXIT: usize = 0x18;
    /// ADP_Stopped_ApplicationExit: QEMU exits with status 0.
    const EXIT_SUCCESS: usize = 0x2_0026;
    /// ADP_Stopped_RunTimeErrorUnknown: QEMU exits with status 1.
    const EXIT_FAILURE: usize = 0x2_0023;

    fn semihost(op: usize, arg: usize) {
        // SAFETY: `bkpt 0xab` is the semihosting call; `arg` points to what `op` expects
        // (checked by the callers) or is a plain value.
        unsafe {
            asm!("bkpt #0xab", inout("r0") op => _, in("r1") arg, options(nostack));
        }
    }

    /// Prints `label value` (value as given, or in hex) as one line, in pieces: an X-Wing
    /// envelope is 2,336 hex digits, more than a small buffer holds.
    fn line(label: &str, value: &[u8], in_hex: bool) {
        write(label.as_bytes());
        write(b" ");
        if in_hex {
            for chunk in value.chunks(64) {
                let mut hex = [0u8; 128];
                match Encoding::Hex.encode_into(chunk, &mut hex) {
                    Ok(text) => write(text.as_bytes()),
                    Err(_) => write(b"(hex failed)"),
                }
            }
        } else {
            write(value);
        }
        write(b"\n");
    }

    /// Writes `bytes` (a buffer's worth at a time; a NUL in them would end a piece early).
    fn write(bytes: &[u8]) {
        let mut buf = [0u8; 129];
        for piece in bytes.chunks(buf.len() - 1) {
            buf[..piece.len()].copy_from_slice(piece);
            buf[piece.len()] = 0;
            // SYS_WRITE0 takes a NUL-terminated string; `buf` holds one.
            semihost(SYS_WRITE0, buf.as_ptr() as usize);
        }
    }

    pub fn text(label: &str, value: &str) {
        line(label, value.as_bytes(), false);
    }

    pub fn hex(label: &str, value: &[u8]) {
        line(label, value, true);
    }

    pub fn number(label: &str, value: &phonetoken::PhoneNumber) {
        text(label, value.as_str());
    }

    #[cfg_attr(not(feature = "find"), allow(dead_code))]
    pub fn count(label: &str, n: usize) {
        line(label, decimal(n, &mut [0; 10]), false);
    }

    /// Prints `found<i> <start> <end> <e164>` and `found<i>.pseudonym <base64url>` for the
    /// `i`th number found in the message (`i` below 10).
    #[cfg_attr(not(feature = "find"), allow(dead_code))]
    pub fn found(
        i: usize,
        span: (usize, usize),
        number: &phonetoken::PhoneNumber,
        pseudonym: &str,
    ) {
        let label = [b'f', b'o', b'u', b'n', b'd', b'0' + (i % 10) as u8];
        write(&label);
        for at in [span.0, span.1] {
            write(b" ");
            write(decimal(at, &mut [0; 10]));
        }
        write(b" ");
        write(number.as_str().as_bytes());
        write(b"\n");
        write(&label);
        line(".pseudonym", pseudonym.as_bytes(), false);
    }

    /// Prints the status line and ends the emulation with the matching exit status.
    pub fn finish(ok: bool) -> ! {
        text("status", if ok { "ok" } else { "fail" });
        semihost(SYS_EXIT, if ok { EXIT_SUCCESS } else { EXIT_FAILURE });
        loop {
            core::hint::spin_loop();
        }
    }

    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo) -> ! {
        text("error", "panic");
        finish(false)
    }

    #[cortex_m_rt::exception]
    unsafe fn HardFault(_: &cortex_m_rt::ExceptionFrame) -> ! {
        text("error", "hard fault");
        finish(false)
    }

    // ---- Operation markers: one distinct, never-inlined function per boundary; the trace
    // counter finds them by symbol name (`phonetoken_mark_*`).

    /// Written by the markers, so that each has its own body (no two are merged).
    static mut MARK: u32 = 0;

    macro_rules! markers {
        ($($name:ident = $id:literal),* $(,)?) => {$(
            #[no_mangle]
            #[inline(never)]
            extern "C" fn $name() {
                // SAFETY: a plain store to a static only this single-threaded image touches.
                unsafe { ptr::write_volatile(&raw mut MARK, $id) }
            }
        )*};
    }
    markers! {
        phonetoken_mark_parse = 1,
        phonetoken_mark_pseudonymize = 2,
        phonetoken_mark_tokenize = 3,
        phonetoken_mark_detokenize = 4,
        phonetoken_mark_blind_one = 5,
        phonetoken_mark_finalize_one = 6,
        phonetoken_mark_blind_batch = 7,
        phonetoken_mark_finalize_batch = 8,
        phonetoken_mark_seal = 9,
        phonetoken_mark_seal_xwing = 10,
        phonetoken_mark_validate = 11,
        phonetoken_mark_format = 12,
        phonetoken_mark_find = 13,
        phonetoken_mark_end = 0,
    }

    impl Op {
        fn name(self) -> &'static str {
            match self {
                Op::Parse => "stack.parse",
                Op::Pseudonymize => "stack.pseudonymize",
                Op::Tokenize => "stack.tokenize",
                Op::Detokenize => "stack.detokenize",
                Op::BlindOne => "stack.blind_one",
                Op::FinalizeOne => "stack.finalize_one",
                Op::BlindBatch => "stack.blind_batch",
                Op::FinalizeBatch => "stack.finalize_batch",
                Op::Seal => "stack.seal",
                Op::SealXwing => "stack.seal_xwing",
                Op::Validate => "stack.validate",
                Op::Format => "stack.format",
                Op::Find => "stack.find",
            }
        }

        fn begin(self) {
            match self {
                Op::Parse => phonetoken_mark_parse(),
                Op::Pseudonymize => phonetoken_mark_pseudonymize(),
                Op::Tokenize => phonetoken_mark_tokenize(),
                Op::Detokenize => phonetoken_mark_detokenize(),
                Op::BlindOne => phonetoken_mark_blind_one(),
                Op::FinalizeOne => phonetoken_mark_finalize_one(),
                Op::BlindBatch => phonetoken_mark_blind_batch(),
                Op::FinalizeBatch => phonetoken_mark_finalize_batch(),
                Op::Seal => phonetoken_mark_seal(),
                Op::SealXwing => phonetoken_mark_seal_xwing(),
                Op::Validate => phonetoken_mark_validate(),
                Op::Format => phonetoken_mark_format(),
                Op::Find => phonetoken_mark_find(),
            }
        }
    }

    // ---- Painted stack.

    extern "C" {
        /// cortex-m-rt: the lowest address the stack may grow to (the end of the statics).
        static _stack_end: u32;
    }
    /// The paint; a word the operations are unlikely to leave on the stack.
    const PAINT: u32 = 0xa5c3_5a3c;
    /// How far below the caller's frame the paint reaches: four times the budget, so that an
    /// operation over budget still shows its true figure.
    const WINDOW: usize = 32 * 1024;

    #[inline(always)]
    fn sp() -> usize {
        let sp: usize;
        // SAFETY: reads the stack pointer, nothing else.
        unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
        sp
    }

    /// Paints the free stack from `floor` up to just below this function's own frame.
    #[inline(never)]
    fn paint(floor: usize) {
        // 16 bytes of margin under the live stack pointer; nothing lives below it.
        let top = sp() - 16;
        let mut p = floor;
        while p < top {
            // SAFETY: [floor, top) is RAM below the stack pointer, unused by anything live
            // (the image is single-threaded and takes no interrupts).
            unsafe { ptr::write_volatile(p as *mut u32, PAINT) };
            p += 4;
        }
    }

    /// The lowest address at or above `floor` that is no longer painted.
    fn low_water(floor: usize, top: usize) -> usize {
        let mut p = floor;
        // SAFETY: reads RAM in [floor, top), which `paint` wrote.
        while p < top && unsafe { ptr::read_volatile(p as *const u32) } == PAINT {
            p += 4;
        }
        p
    }

    /// The operation's frames: kept out of the caller's frame, so that they are measured.
    #[inline(never)]
    fn call<I, R>(input: I, f: impl FnOnce(I) -> R) -> R {
        f(input)
    }

    /// Runs `f(input)` between the operation's markers and prints the stack it used below the
    /// caller's frame (caller-provided buffers are the caller's, not the operation's).
    pub fn measure<I, R>(op: Op, input: I, f: impl FnOnce(I) -> R) -> R {
        let top = sp();
        // Only the address of the linker symbol is taken, which needs no `unsafe`.
        let stack_end = &raw const _stack_end as usize;
        let floor = top.saturating_sub(WINDOW).max(stack_end);
        paint(floor);
        op.begin();
        // `black_box` on both sides keeps the work between the markers.
        let result = black_box(call(black_box(input), f));
        phonetoken_mark_end();
        let used = top - low_water(floor, top);
        let mut digits = [0u8; 10];
        line(op.name(), decimal(used, &mut digits), false);
        result
    }

    fn decimal(mut n: usize, buf: &mut [u8; 10]) -> &[u8] {
        let mut i = buf.len();
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 || i == 0 {
                return &buf[i..];
            }
        }
    }
}

#[cfg_attr(not(any(feature = "oprf", feature = "seal")), allow(unused_imports))]
pub use imp::hex;
pub use imp::{count, failure, finish, found, measure, number, report, text, Failure};
