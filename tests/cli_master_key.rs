//! Encrypted keyset files on the command line: master keys in Tink AES-GCM keyset files and
//! inside a PKCS#11 token (SoftHSM2), `keygen --master-key`, the lifecycle on encrypted
//! files, `keyset encrypt|decrypt`, and the messages for a keyset of the wrong kind.
//!
//! The PKCS#11 test needs SoftHSM2 (`softhsm2-util` and its module); `.ci/run` installs it.
//! Without it the test says so and passes, except under `CI`, where it fails.
#![cfg(all(feature = "cli", unix))]

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command as Process;

use phonetoken::encrypted_keyset::TinkAeadKey;
use phonetoken::Keyset;
use tempfile::TempDir;

mod support;

use support::{arg, phonetoken, run};

fn run_ok(args: &[&str]) -> (String, String) {
    let (out, err) = run(args, b"", 0);
    (String::from_utf8(out).unwrap(), err)
}

fn mode(path: &Path) -> u32 {
    fs::metadata(path).unwrap().permissions().mode() & 0o777
}

/// The keyset in an encrypted file, opened with the library and the master key file.
fn open_sealed(path: &Path, master: &Path) -> Keyset {
    let master = TinkAeadKey::from_tink_json(&fs::read_to_string(master).unwrap()).unwrap();
    Keyset::from_encrypted_json(&fs::read_to_string(path).unwrap(), &master, b"").unwrap()
}

/// `phonetoken keyset SUB --keyset KS --master-key MASTER`, expected to exit with `code`:
/// its stderr.
fn keyset_sealed(ks: &Path, sub: &str, master: &str, code: i32) -> String {
    run(
        &["keyset", sub, "--keyset", arg(ks), "--master-key", master],
        b"",
        code,
    )
    .1
}

fn is_encrypted(path: &Path) -> bool {
    let json: serde_json::Value = serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap();
    json.get("encryptedKeyset").is_some() && json.get("keys").is_none()
}

#[test]
fn a_file_master_key_seals_keysets_through_the_lifecycle() {
    let dir = TempDir::new().unwrap();
    let master = dir.path().join("master.json");
    let uri = format!("file:{}", arg(&master));
    run_ok(&["master-key", "new", "--master-key", &uri]);
    assert_eq!(mode(&master), 0o600);
    let (_, stderr) = run(&["master-key", "new", "--master-key", &uri], b"", 2);
    assert!(
        stderr.contains("already exists"),
        "never replaced: {stderr}"
    );

    let ks = dir.path().join("keys.json");
    run_ok(&["keygen", "--output", arg(&ks), "--master-key", &uri]);
    assert!(is_encrypted(&ks));
    assert_eq!(mode(&ks), 0o600);
    let sealed = open_sealed(&ks, &master);

    // Without the master key: refused, saying why; with another one: refused.
    let (_, stderr) = run(&["keyset", "list", "--keyset", arg(&ks)], b"", 2);
    assert!(
        stderr.contains("is encrypted") && stderr.contains("--master-key"),
        "{stderr}"
    );
    let other = dir.path().join("other.json");
    run_ok(&[
        "master-key",
        "new",
        "--master-key",
        &format!("file:{}", arg(&other)),
    ]);
    let stderr = keyset_sealed(&ks, "list", &format!("file:{}", arg(&other)), 2);
    assert!(stderr.contains("does not open"), "{stderr}");

    // Tokens made by the tool open with the library's view of the sealed keyset.
    let out = phonetoken()
        .args(["tokenize", "--keyset", arg(&ks), "--context", "c"])
        .env("PHONETOKEN_MASTER_KEY", &uri)
        .write_stdin("+14155552671\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let token = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        sealed
            .detokenize_str(token.trim_end(), b"c")
            .unwrap()
            .as_str(),
        "+14155552671"
    );

    // Rotation keeps the file sealed under the same master key.
    keyset_sealed(&ks, "rotate", &uri, 0);
    assert!(is_encrypted(&ks));
    let rotated = open_sealed(&ks, &master);
    assert_eq!(rotated.keys().count(), 2);
    assert_eq!(
        rotated
            .detokenize_str(token.trim_end(), b"c")
            .unwrap()
            .as_str(),
        "+14155552671"
    );

    // Decrypt in place, then encrypt again: the same keys throughout.
    keyset_sealed(&ks, "decrypt", &uri, 0);
    assert!(!is_encrypted(&ks));
    let plain: Keyset = Keyset::from_json(&fs::read_to_string(&ks).unwrap()).unwrap();
    assert_eq!(plain.to_json(), rotated.to_json());
    let (_, stderr) = run(&["keyset", "decrypt", "--keyset", arg(&ks)], b"", 2);
    assert!(stderr.contains("not encrypted"), "{stderr}");
    let stderr = keyset_sealed(&ks, "encrypt", &uri, 0);
    assert!(
        !stderr.contains("not used"),
        "the master key is used to seal: {stderr}"
    );
    assert_eq!(open_sealed(&ks, &master).to_json(), rotated.to_json());
    let stderr = keyset_sealed(&ks, "encrypt", &uri, 2);
    assert!(stderr.contains("encrypted already"), "{stderr}");
}

#[test]
fn an_encrypted_keyset_is_judged_only_by_who_can_change_it() {
    let dir = TempDir::new().unwrap();
    let master = dir.path().join("master.json");
    let uri = format!("file:{}", arg(&master));
    run_ok(&["master-key", "new", "--master-key", &uri]);
    let ks = dir.path().join("keys.json");
    run_ok(&["keygen", "--output", arg(&ks), "--master-key", &uri]);
    fs::set_permissions(&ks, fs::Permissions::from_mode(0o644)).unwrap();
    let stderr = keyset_sealed(&ks, "list", &uri, 0);
    assert!(
        !stderr.contains("warning"),
        "a sealed keyset may be readable: {stderr}"
    );
    fs::set_permissions(&ks, fs::Permissions::from_mode(0o646)).unwrap();
    let stderr = keyset_sealed(&ks, "list", &uri, 0);
    assert!(stderr.contains("changed by other users"), "{stderr}");
}

#[test]
fn a_keyset_of_the_wrong_kind_is_named() {
    let dir = TempDir::new().unwrap();
    let ks = dir.path().join("keys.json");
    run_ok(&["keygen", "--output", arg(&ks)]);
    let (tink, _) = run_ok(&["keyset", "export-tink", "--keyset", arg(&ks)]);
    let tink_path = dir.path().join("tink.json");
    fs::write(&tink_path, tink).unwrap();
    fs::set_permissions(&tink_path, fs::Permissions::from_mode(0o600)).unwrap();

    let (_, stderr) = run(
        &["pseudonymize", "--keyset", arg(&tink_path)],
        b"+14155552671\n",
        2,
    );
    assert!(
        stderr.contains("is a Tink keyset") && stderr.contains("import-tink"),
        "{stderr}"
    );
    let out = dir.path().join("out.json");
    let (_, stderr) = run(
        &[
            "keyset",
            "import-tink",
            "--input",
            arg(&ks),
            "--output",
            arg(&out),
        ],
        b"",
        2,
    );
    assert!(
        stderr.contains("is a phonetoken keyset already"),
        "{stderr}"
    );
    assert!(!out.exists());

    let master = dir.path().join("master.json");
    let uri = format!("file:{}", arg(&master));
    run_ok(&["master-key", "new", "--master-key", &uri]);
    let sealed = dir.path().join("sealed.json");
    run_ok(&[
        "keyset",
        "import-tink",
        "--input",
        arg(&tink_path),
        "--output",
        arg(&sealed),
        "--master-key",
        &uri,
    ]);
    assert!(is_encrypted(&sealed));
    assert_eq!(open_sealed(&sealed, &master).to_tink_json(), {
        let plain: Keyset = Keyset::from_json(&fs::read_to_string(&ks).unwrap()).unwrap();
        plain.to_tink_json()
    });
    let (_, stderr) = run(
        &[
            "keyset",
            "import-tink",
            "--input",
            arg(&sealed),
            "--output",
            arg(&out),
        ],
        b"",
        2,
    );
    assert!(stderr.contains("is an encrypted keyset"), "{stderr}");

    // A master key URI of an unknown kind, or a pasted key, is refused without echoing it.
    let pasted = "q83vEjRWeJCrze8SNFZ4kKvN7xI0VniQq83vEjRWeJA=";
    let (_, stderr) = run(
        &[
            "keyset",
            "list",
            "--keyset",
            arg(&ks),
            "--master-key",
            pasted,
        ],
        b"",
        2,
    );
    assert!(
        stderr.contains("file:PATH") && !stderr.contains(pasted),
        "{stderr}"
    );
}

/// A SoftHSM2 token of its own, in a temporary directory.
struct SoftHsm {
    dir: TempDir,
    module: PathBuf,
}

const USER_PIN: &str = "s3cret-PIN-4321";

impl SoftHsm {
    fn new() -> Option<SoftHsm> {
        let module = std::env::var_os("PHONETOKEN_TEST_PKCS11_MODULE").map_or_else(
            || PathBuf::from("/usr/lib/softhsm/libsofthsm2.so"),
            PathBuf::from,
        );
        let util = Process::new("softhsm2-util").arg("--version").output();
        if !module.exists() || util.is_err() {
            assert!(
                std::env::var_os("CI").is_none(),
                "SoftHSM2 is missing ({} or softhsm2-util): .ci/run installs it",
                module.display()
            );
            eprintln!("SoftHSM2 is not installed: the PKCS#11 test does not run here (apt-get install softhsm2)");
            return None;
        }
        let dir = TempDir::new().unwrap();
        fs::create_dir(dir.path().join("tokens")).unwrap();
        fs::write(
            dir.path().join("softhsm2.conf"),
            format!(
                "directories.tokendir = {}\nobjectstore.backend = file\nlog.level = ERROR\n",
                dir.path().join("tokens").display()
            ),
        )
        .unwrap();
        let hsm = SoftHsm { dir, module };
        let init = Process::new("softhsm2-util")
            .args([
                "--init-token",
                "--free",
                "--label",
                "phonetoken-test",
                "--so-pin",
                "87654321",
                "--pin",
                USER_PIN,
            ])
            .env("SOFTHSM2_CONF", hsm.conf())
            .output()
            .unwrap();
        assert!(
            init.status.success(),
            "{}",
            String::from_utf8_lossy(&init.stderr)
        );
        let pin = hsm.dir.path().join("pin");
        fs::write(&pin, format!("{USER_PIN}\n")).unwrap();
        fs::set_permissions(&pin, fs::Permissions::from_mode(0o600)).unwrap();
        Some(hsm)
    }

    fn conf(&self) -> PathBuf {
        self.dir.path().join("softhsm2.conf")
    }

    fn uri(&self, object: &str) -> String {
        format!(
            "pkcs11:token=phonetoken-test;object={object}?module-path={}&pin-source=file:{}",
            self.module.display(),
            self.dir.path().join("pin").display()
        )
    }

    fn run(&self, args: &[&str], stdin: &[u8], code: i32) -> (String, String) {
        let out = phonetoken()
            .args(args)
            .env("SOFTHSM2_CONF", self.conf())
            .env_remove("PHONETOKEN_PKCS11_PIN")
            .write_stdin(stdin)
            .output()
            .unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        (String::from_utf8(out.stdout).unwrap(), stderr)
    }
}

#[test]
fn a_pkcs11_master_key_wraps_and_unwraps_keysets_and_never_leaves_the_token() {
    let Some(hsm) = SoftHsm::new() else { return };
    let uri = hsm.uri("keyset-master");
    hsm.run(&["master-key", "new", "--master-key", &uri], b"", 0);
    let (_, stderr) = hsm.run(&["master-key", "new", "--master-key", &uri], b"", 2);
    assert!(stderr.contains("exists already"), "{stderr}");

    let ks = hsm.dir.path().join("keys.json");
    hsm.run(
        &["keygen", "--output", arg(&ks), "--master-key", &uri],
        b"",
        0,
    );
    assert!(is_encrypted(&ks));
    // `phonetoken SUB… --keyset ks --master-key master EXTRA…`.
    let with_keys = |sub: &[&str], master: &str, extra: &[&str], stdin: &[u8], code: i32| {
        let mut args = sub.to_vec();
        args.extend(["--keyset", arg(&ks), "--master-key", master]);
        args.extend_from_slice(extra);
        hsm.run(&args, stdin, code)
    };
    let crm = ["--context", "crm"];
    let (tokens, _) = with_keys(
        &["tokenize"],
        &uri,
        &crm,
        b"+14155552671\n+442079460958\n",
        0,
    );
    with_keys(&["keyset", "rotate"], &uri, &[], b"", 0);
    assert!(is_encrypted(&ks));
    let (numbers, _) = with_keys(&["detokenize"], &uri, &crm, tokens.as_bytes(), 0);
    assert_eq!(numbers, "+14155552671\n+442079460958\n");
    let (listed, _) = with_keys(&["keyset", "list"], &uri, &[], b"", 0);
    assert_eq!(listed.lines().count(), 3, "{listed}");

    // Another key of the token does not open it; nor does a wrong PIN; a PIN in the URI is
    // refused, and so is a key that is not there.
    hsm.run(
        &["master-key", "new", "--master-key", &hsm.uri("other")],
        b"",
        0,
    );
    let wrong = hsm.dir.path().join("wrong-pin");
    fs::write(&wrong, "0000\n").unwrap();
    let wrong_pin = uri.replace(arg(&hsm.dir.path().join("pin")), arg(&wrong));
    let pin_in_uri =
        format!("pkcs11:token=phonetoken-test;object=keyset-master?pin-value={USER_PIN}");
    for (master, says) in [
        (hsm.uri("other"), "does not open"),
        (wrong_pin, "refused the PIN"),
        (pin_in_uri, "pin-source"),
        (hsm.uri("missing"), "no AES key matches"),
    ] {
        let (_, stderr) = with_keys(&["keyset", "list"], &master, &[], b"", 2);
        assert!(
            stderr.contains(says) && !stderr.contains(USER_PIN),
            "{says}: {stderr}"
        );
    }

    // The key is sensitive and never extractable: the token will not give its value.
    use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
    use cryptoki::object::{Attribute, AttributeType, ObjectClass};
    use cryptoki::session::UserType;
    use cryptoki::types::AuthPin;
    std::env::set_var("SOFTHSM2_CONF", hsm.conf());
    let pkcs11 = Pkcs11::new(&hsm.module).unwrap();
    pkcs11
        .initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK))
        .unwrap();
    let slot = pkcs11.get_slots_with_token().unwrap()[0];
    let session = pkcs11.open_ro_session(slot).unwrap();
    session
        .login(UserType::User, Some(&AuthPin::from(USER_PIN)))
        .unwrap();
    let keys = session
        .find_objects(&[
            Attribute::Class(ObjectClass::SECRET_KEY),
            Attribute::Label(b"keyset-master".to_vec()),
        ])
        .unwrap();
    assert_eq!(keys.len(), 1);
    let attrs = session
        .get_attributes(
            keys[0],
            &[
                AttributeType::Extractable,
                AttributeType::Sensitive,
                AttributeType::ValueLen,
            ],
        )
        .unwrap();
    assert!(attrs.contains(&Attribute::Extractable(false)), "{attrs:?}");
    assert!(attrs.contains(&Attribute::Sensitive(true)), "{attrs:?}");
    assert!(
        attrs
            .iter()
            .any(|a| matches!(a, Attribute::ValueLen(l) if **l == 32)),
        "{attrs:?}"
    );
    let value = session
        .get_attributes(keys[0], &[AttributeType::Value])
        .unwrap_or_default();
    assert!(
        !value.iter().any(|a| matches!(a, Attribute::Value(_))),
        "the key's value left the token"
    );
}
