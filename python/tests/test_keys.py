"""Where keys come from: keyset files named by path or by PHONETOKEN_KEYSET, their
permissions, master keys in files and inside a PKCS#11 token (SoftHSM2), named by argument
or by PHONETOKEN_MASTER_KEY, as the `phonetoken` tool reads them."""

from __future__ import annotations

import os
import shutil
import subprocess
import warnings
from pathlib import Path

import pytest

import phonetoken
from conftest import cli

NUMBER = "+14155552671"


def cli_pseudonym(*key_args: str) -> str:
    return cli("pseudonymize", *key_args, stdin=f"{NUMBER}\n".encode()).decode().strip()


@pytest.fixture(scope="module")
def sealed(work: Path) -> tuple[Path, str]:
    """A keyset sealed under a master key file, and that master key's URI."""
    master = work / "keys-master.json"
    path = work / "keys-sealed.json"
    cli("master-key", "new", "--master-key", f"file:{master}")
    cli("keygen", "--output", str(path), "--master-key", f"file:{master}")
    return path, f"file:{master}"


def test_keyset_named_by_the_environment(keyset_path, monkeypatch):
    expected = cli_pseudonym("--keyset", str(keyset_path))
    monkeypatch.setenv("PHONETOKEN_KEYSET", str(keyset_path))
    assert phonetoken.Keyset.from_env().pseudonymize(NUMBER) == expected
    # A keyset's content pasted where its path belongs: refused, and not shown.
    monkeypatch.setenv("PHONETOKEN_KEYSET", keyset_path.read_text())
    with pytest.raises(phonetoken.KeysetFileError, match="content rather than its path") as e:
        phonetoken.Keyset.from_env()
    assert "pseudonym_key" not in str(e.value)
    monkeypatch.setenv("PHONETOKEN_KEYSET", str(keyset_path.parent / "absent.json"))
    with pytest.raises(phonetoken.KeysetFileError, match="named by PHONETOKEN_KEYSET") as e:
        phonetoken.Keyset.from_env()
    assert e.value.code == "io"
    monkeypatch.delenv("PHONETOKEN_KEYSET")
    with pytest.raises(phonetoken.KeysetFileError, match="set PHONETOKEN_KEYSET") as e:
        phonetoken.Keyset.from_env()
    assert e.value.code == "no-keyset"


def test_master_key_named_by_the_environment(sealed, monkeypatch):
    path, master = sealed
    expected = cli_pseudonym("--keyset", str(path), "--master-key", master)
    monkeypatch.setenv("PHONETOKEN_MASTER_KEY", master)
    assert phonetoken.Keyset.from_file(path).pseudonymize(NUMBER) == expected
    # A secret pasted into the variable is refused without being repeated.
    monkeypatch.setenv("PHONETOKEN_MASTER_KEY", "hunter2-secret")
    with pytest.raises(phonetoken.KeysetFileError, match="PHONETOKEN_MASTER_KEY") as e:
        phonetoken.Keyset.from_file(path)
    assert "hunter2" not in str(e.value) and e.value.code == "bad-reference"


def test_a_master_key_for_a_plaintext_keyset_warns(keyset_path, sealed):
    with pytest.warns(phonetoken.KeysetWarning, match="not encrypted, so master_key is not used"):
        phonetoken.Keyset.from_file(keyset_path, master_key=sealed[1])


def test_keyset_file_permissions(work, keyset_path, sealed):
    loose = work / "loose.json"
    shutil.copyfile(keyset_path, loose)
    os.chmod(loose, 0o644)
    with pytest.warns(phonetoken.KeysetPermissionWarning, match="read by other users.*mode 644"):
        phonetoken.Keyset.from_file(loose)
    with pytest.raises(phonetoken.KeysetFileError, match="strict_permissions") as e:
        phonetoken.Keyset.from_file(loose, strict_permissions=True)
    assert e.value.code == "permissions"
    os.chmod(loose, 0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phonetoken.Keyset.from_file(loose, strict_permissions=True)
    # A sealed keyset may be read by others, but not changed by them.
    path, master = sealed
    shared = work / "shared-sealed.json"
    shutil.copyfile(path, shared)
    os.chmod(shared, 0o644)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        phonetoken.Keyset.from_file(shared, master_key=master, strict_permissions=True)
    os.chmod(shared, 0o664)
    with pytest.warns(phonetoken.KeysetPermissionWarning, match="changed by other users"):
        phonetoken.Keyset.from_file(shared, master_key=master)


def test_only_sealed_keysets_are_read_for_shipping(keyset_path, sealed):
    text = phonetoken.read_sealed_keyset(sealed[0])
    assert "encryptedKeyset" in text
    assert phonetoken.Keyset.from_json(text, master_key=sealed[1]).pseudonymize(NUMBER)
    with pytest.raises(phonetoken.KeysetFileError, match="not encrypted") as e:
        phonetoken.read_sealed_keyset(keyset_path)
    assert e.value.code == "plaintext-keyset"


SOFTHSM_MODULE = Path(os.environ.get("PHONETOKEN_TEST_PKCS11_MODULE", "/usr/lib/softhsm/libsofthsm2.so"))


@pytest.fixture(scope="module")
def softhsm(tmp_path_factory):
    """A fresh SoftHSM2 token and a PIN file; the test fails under CI without SoftHSM2."""
    if not SOFTHSM_MODULE.exists() or shutil.which("softhsm2-util") is None:
        if os.environ.get("CI"):
            pytest.fail("SoftHSM2 is missing: .ci/run installs it")
        pytest.skip("SoftHSM2 is not installed (apt-get install softhsm2)")
    d = tmp_path_factory.mktemp("softhsm")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", "phonetoken-py",
         "--so-pin", "87654321", "--pin", "4321"],
        env=env, check=True, capture_output=True,
    )
    pin = d / "pin"
    pin.write_text("4321\n")
    os.chmod(pin, 0o600)
    wrong = d / "wrong-pin"
    wrong.write_text("9999\n")
    os.chmod(wrong, 0o600)
    # The module reads its configuration from the environment of the process loading it:
    # this one (the wheel) and the CLI's.
    previous = os.environ.get("SOFTHSM2_CONF")
    os.environ["SOFTHSM2_CONF"] = str(conf)
    yield d
    if previous is None:
        del os.environ["SOFTHSM2_CONF"]
    else:
        os.environ["SOFTHSM2_CONF"] = previous


def pkcs11_uri(d: Path, obj: str, pin: str = "pin") -> str:
    return f"pkcs11:token=phonetoken-py;object={obj}?module-path={SOFTHSM_MODULE}&pin-source=file:{d / pin}"


def test_pkcs11_master_key(softhsm, work, monkeypatch):
    uri = pkcs11_uri(softhsm, "kek")
    cli("master-key", "new", "--master-key", uri)
    path = work / "keys-hsm.json"
    cli("keygen", "--output", str(path), "--master-key", uri)
    expected = cli_pseudonym("--keyset", str(path), "--master-key", uri)
    keys = phonetoken.Keyset.from_file(path, master_key=uri)
    assert keys.pseudonymize(NUMBER) == expected
    # Again in the same process (the module is loaded and finalized each time), and by the
    # environment variable.
    monkeypatch.setenv("PHONETOKEN_MASTER_KEY", uri)
    assert phonetoken.Keyset.from_file(path).pseudonymize(NUMBER) == expected
    with pytest.raises(phonetoken.KeysetFileError, match="refused the PIN") as e:
        phonetoken.Keyset.from_file(path, master_key=pkcs11_uri(softhsm, "kek", "wrong-pin"))
    assert e.value.code == "pkcs11" and "9999" not in str(e.value)
    with pytest.raises(phonetoken.KeysetFileError, match="no AES key matches") as e:
        phonetoken.Keyset.from_file(path, master_key=pkcs11_uri(softhsm, "other"))
    assert e.value.code == "pkcs11"
    # Another token's key does not open it.
    cli("master-key", "new", "--master-key", pkcs11_uri(softhsm, "kek2"))
    with pytest.raises(phonetoken.KeysetFileError, match="does not open"):
        phonetoken.Keyset.from_file(path, master_key=pkcs11_uri(softhsm, "kek2"))
    with pytest.raises(phonetoken.KeysetFileError, match="pin-source") as e:
        phonetoken.Keyset.from_file(path, master_key="pkcs11:token=phonetoken-py;object=kek?pin-value=4321")
    assert "4321" not in str(e.value)
