"""Flash use of the firmware image by component.

Usage: python3 tools/firmware/breakdown.py LLVM_BIN_DIR ELF

Named symbols are grouped by the path in their demangled name. Tables that Rust emits as
anonymous constants (the metadata pattern pool, the Unicode tables) carry no symbol, or only a
local `.Lanon.*` one depending on the optimization level, so they are found by searching
.rodata for the bytes of the tables in the generated sources. Whatever is left of the flash
total is "the rest". Code the compiler inlined into the firmware's `main` counts as `main`.
"""
import pathlib
import re
import struct
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[2]

# (component, regular expression over the demangled symbol), first match wins.
GROUPS = [
    ("metadata tables", r"phonetoken::metadata::generated::"),
    ("SHA-256 / HMAC", r"sha2::|compress256|phonetoken::pseudonym|hmac::|hkdf::"),
    ("AES / AES-SIV", r"aes::|phonetoken::siv|phonetoken::token|cmac"),
    ("parse code + Unicode tables", r"phonetoken::(parse|metadata|number)"),
    ("encodings, keys", r"phonetoken::(encoding|keys)|base64ct|base16ct|subtle::|zeroize"),
    ("firmware main (+ inlined calls)", r"phonetoken_firmware|cortex_m_rt_main"),
]
OTHER = "the rest (runtime, core, vectors, unnamed constants)"
FLASH_SECTIONS = (".vector_table", ".text", ".rodata", ".data")

# Sources whose `static NAME: &[T] = &[...]` tables may land in anonymous constants.
TABLE_SOURCES = [
    ("metadata tables", ROOT / "src/metadata/generated.rs"),
    ("parse code + Unicode tables", ROOT / "src/parse/unicode_tables.rs"),
]
TABLE = re.compile(
    r"static\s+(\w+)\s*:\s*&\[(u8|u16|u32)(?:;\s*\d+)?\]\s*=\s*&\[(.*?)\];", re.S
)
PACK = {"u8": "<B", "u16": "<H", "u32": "<I"}


def known_tables():
    """(component, name, little-endian bytes) of every integer table in the sources."""
    tables = []
    for component, path in TABLE_SOURCES:
        if not path.exists():
            continue
        text = re.sub(r"//[^\n]*", "", path.read_text(encoding="utf-8"))
        for name, kind, body in TABLE.findall(text):
            values = [int(v.replace("_", ""), 0) for v in re.findall(r"0x[0-9a-fA-F_]+|\d+", body)]
            data = b"".join(struct.pack(PACK[kind], v) for v in values)
            if data:
                tables.append((component, name, data))
    return tables


def elf32_sections(image):
    """{name: (address, file offset, size)} from a little-endian ELF32 file's section headers."""
    if image[:5] != b"\x7fELF\x01" or image[5] != 1:
        sys.exit("breakdown.py: not a little-endian ELF32 file")
    shoff, = struct.unpack_from("<I", image, 0x20)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", image, 0x2E)
    headers = [struct.unpack_from("<IIIIIIIIII", image, shoff + i * shentsize) for i in range(shnum)]
    names_offset = headers[shstrndx][4]
    sections = {}
    for name, _type, _flags, addr, offset, size, *_ in headers:
        start = names_offset + name
        label = image[start:image.index(b"\0", start)].decode("ascii", "replace")
        sections[label] = (addr, offset, size)
    return sections


def main():
    llvm, elf = pathlib.Path(sys.argv[1]), sys.argv[2]
    image = pathlib.Path(elf).read_bytes()
    sections = elf32_sections(image)

    flash = sum(sections.get(name, (0, 0, 0))[2] for name in FLASH_SECTIONS)
    nm = subprocess.run(
        [llvm / "llvm-nm", "--print-size", "--radix=d", "--demangle", elf],
        check=True, capture_output=True, text=True,
    ).stdout
    totals = {}
    named = []
    for line in nm.splitlines():
        parts = line.split(None, 3)
        if len(parts) < 4 or parts[2].lower() not in "trd" or parts[3].startswith(".L"):
            continue
        addr, size, name = int(parts[0]), int(parts[1]), parts[3]
        named.append((addr, addr + size))
        component = next((c for c, pattern in GROUPS if re.search(pattern, name)), None)
        if component:
            totals[component] = totals.get(component, 0) + size
    # Tables the compiler left without a symbol: found by their bytes in .rodata.
    found = []
    if ".rodata" in sections:
        base, offset, length = sections[".rodata"]
        rodata = image[offset:offset + length]
        for component, table, data in known_tables():
            at = rodata.find(data)
            if at < 0 or len(data) < 64:
                continue
            addr = base + at
            if any(lo <= addr < hi for lo, hi in named):
                continue
            totals[component] = totals.get(component, 0) + len(data)
            found.append(f"{table} {len(data)}")
    totals[OTHER] = flash - sum(totals.values())
    for component, size in sorted(totals.items(), key=lambda kv: -kv[1]):
        print(f"  {component:<52} {size:>8}")
    if found:
        print("  (tables without a symbol, found by content: " + ", ".join(found) + ")")


if __name__ == "__main__":
    main()
