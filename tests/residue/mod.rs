//! Residue checks shared by `tests/key_residue.rs` and `tests/scrub_residue.rs`: after an
//! operation, no copy of a secret is left in memory the program no longer owns.
//!
//! * Heap: a scanning global allocator looks at every block freed (`dealloc`, and the old block
//!   of every `realloc`, which this allocator always moves) while the current thread's
//!   `SCANNING` flag is set, and records any 16-byte window of a known secret in it.
//! * Stack: the operation runs in a frame that is then dead; [`scan_stack`] reads the region
//!   of the stack those frames used (a large array in a frame at the same depth) and looks for
//!   the same windows. [`clear_stack`] wipes the region before the operation, so what is found
//!   was left by the operation itself.
//!
//! The library forbids `unsafe`; these tests need it for the allocator and the stack read only.
#![allow(dead_code)] // each test file uses its own subset

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::mem::MaybeUninit;

pub const WINDOW: usize = 16;

/// Bytes of stack checked below the test's frame: far more than the operations use.
const STACK_SCAN: usize = 256 * 1024;

thread_local! {
    // `const` initializers without destructors: safe to touch from inside the allocator.
    static SCANNING: Cell<bool> = const { Cell::new(false) };
    static HEAP_HIT: Cell<Option<(usize, usize)>> = const { Cell::new(None) };
    // Filled before scanning starts and not touched while it runs.
    static NEEDLES: RefCell<Vec<([u8; WINDOW], usize)>> = const { RefCell::new(Vec::new()) };
}

/// Which needle (index into the labels) occurs in `bytes`, if any.
fn find_needle(bytes: &[u8]) -> Option<usize> {
    NEEDLES
        .try_with(|n| {
            let n = n.try_borrow().ok()?;
            bytes.windows(WINDOW).find_map(|w| {
                n.binary_search_by(|(k, _)| k.as_slice().cmp(w))
                    .ok()
                    .map(|i| n[i].1)
            })
        })
        .ok()
        .flatten()
}

fn scan_freed(ptr: *mut u8, size: usize) {
    if !SCANNING.try_with(Cell::get).unwrap_or(false) {
        return;
    }
    // SAFETY: `ptr` is a live block of `size` bytes handed to `dealloc`/`realloc`, not yet
    // freed, and initialized (every block is allocated zeroed).
    let bytes = unsafe { std::slice::from_raw_parts(ptr, size) };
    if let Some(label) = find_needle(bytes) {
        let _ = HEAP_HIT.try_with(|h| {
            if h.get().is_none() {
                h.set(Some((label, size)));
            }
        });
    }
}

/// Forwards to `System`, scanning each freed block first; `realloc` always moves, and new
/// blocks are zeroed.
struct ScanningAllocator;

// SAFETY: allocation and freeing are `System`'s with the caller's arguments; `realloc` is
// alloc + copy of the smaller size + dealloc, which the `GlobalAlloc` contract allows. The
// scan only reads the block about to be freed and touches thread-local cells.
unsafe impl GlobalAlloc for ScanningAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // Zeroed, so that a block's unwritten tail cannot show bytes an earlier owner (the
        // test's own set-up) left: what the scan finds was written by the block's owner.
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `new_size` is non-zero and valid for `layout.align()` (caller's contract).
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        // SAFETY: forwarded contract.
        let new = unsafe { System.alloc_zeroed(new_layout) };
        if !new.is_null() {
            // SAFETY: both blocks are live and distinct; the copy is within both.
            unsafe { std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size)) };
            scan_freed(ptr, layout.size());
            // SAFETY: `ptr` was allocated with `layout` (caller's contract).
            unsafe { System.dealloc(ptr, layout) };
        }
        new
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        scan_freed(ptr, layout.size());
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: ScanningAllocator = ScanningAllocator;

/// Overwrites the stack region the operation will use.
#[inline(never)]
fn clear_stack() {
    let mut region = [0u8; STACK_SCAN];
    zeroize::Zeroize::zeroize(&mut region[..]);
    std::hint::black_box(&region);
}

/// Looks for a needle in the dead stack below the caller's frame: the region the previous
/// call at this depth (the operation) and everything it called used.
#[inline(never)]
fn scan_stack() -> Option<(usize, usize)> {
    let region = MaybeUninit::<[u8; STACK_SCAN]>::uninit();
    let base = region.as_ptr().cast::<u8>();
    let mut window = [0u8; WINDOW];
    // Byte by byte, with volatile reads, so the compiler neither skips the reads nor
    // assumes anything about the (deliberately uninitialized) array.
    for i in 0..STACK_SCAN {
        window.copy_within(1.., 0);
        // SAFETY: `i` is inside the array; the bytes are whatever the earlier frames left,
        // read as plain `u8`s through a volatile read, which is what this test is about.
        window[WINDOW - 1] = unsafe { std::ptr::read_volatile(base.add(i)) };
        if i + 1 >= WINDOW {
            if let Some(label) = find_needle(&window) {
                return Some((label, STACK_SCAN - i));
            }
        }
    }
    None
}

#[inline(never)]
fn run_scanned(op: &mut dyn FnMut()) {
    SCANNING.set(true);
    op();
    SCANNING.set(false);
}

/// What an operation left behind: `None`, or a description of the first copy found.
pub fn residue(needles: &Needles, mut op: impl FnMut()) -> (Option<String>, Option<String>) {
    NEEDLES.with(|n| *n.borrow_mut() = needles.windows.clone());
    HEAP_HIT.set(None);
    clear_stack();
    run_scanned(&mut op);
    let stack = scan_stack();
    let heap = HEAP_HIT.take();
    NEEDLES.with(|n| n.borrow_mut().clear());
    (
        heap.map(|(l, size)| {
            format!(
                "{} in a freed heap block of {size} bytes",
                needles.labels[l]
            )
        }),
        stack.map(|(l, depth)| {
            format!(
                "{} on the stack, {depth} bytes below the caller",
                needles.labels[l]
            )
        }),
    )
}

/// The secrets to look for, as sorted 16-byte windows with a label each.
#[derive(Default)]
pub struct Needles {
    windows: Vec<([u8; WINDOW], usize)>,
    labels: Vec<String>,
}

impl Needles {
    pub fn add(&mut self, label: String, secret: &[u8]) {
        let l = self.labels.len();
        self.labels.push(label);
        self.windows
            .extend(secret.windows(WINDOW).map(|w| (w.try_into().unwrap(), l)));
        self.windows.sort_unstable();
    }
}
