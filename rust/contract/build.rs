//! Embeds the repository's fixtures (`../../fixtures`: manifest.json and every document under
//! valid/ and invalid/) into `$OUT_DIR/fixtures.rs` as `include_str!`/`include_bytes!` of their
//! absolute paths. A path dependency and a git dependency both see the whole repository (cargo
//! checks a git dependency out whole), so the fixtures are those of the commit the service names.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    let manifest_dir =
        PathBuf::from(env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let fixtures = manifest_dir.join("..").join("..").join("fixtures");
    let manifest = fixtures.join("manifest.json");
    if !manifest.is_file() {
        panic!(
            "noetl-envelope-contract: {} not found; the crate must stay inside its repository \
             (depend on it by path or git, not a copy of rust/contract alone)",
            manifest.display()
        );
    }
    let fixtures =
        fs::canonicalize(&fixtures).unwrap_or_else(|e| panic!("{}: {e}", fixtures.display()));
    let manifest = fixtures.join("manifest.json");
    println!("cargo:rerun-if-changed={}", fixtures.display());

    let mut documents = Vec::new();
    for top in ["valid", "invalid"] {
        collect(&fixtures, &fixtures.join(top), &mut documents);
    }
    documents.sort();

    let mut out = String::new();
    writeln!(
        out,
        "pub(crate) const MANIFEST: &str = include_str!({:?});",
        path_str(&manifest)
    )
    .unwrap();
    writeln!(out, "pub(crate) static DOCUMENTS: &[(&str, &[u8])] = &[").unwrap();
    for (key, path) in &documents {
        writeln!(out, "    ({key:?}, include_bytes!({:?})),", path_str(path)).unwrap();
    }
    writeln!(out, "];").unwrap();
    let dest = PathBuf::from(env::var_os("OUT_DIR").expect("OUT_DIR")).join("fixtures.rs");
    fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// Every file under `dir`, keyed by its path relative to `root` with `/` separators (the
/// manifest's `file` form).
fn collect(root: &Path, dir: &Path, into: &mut Vec<(String, PathBuf)>) {
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            collect(root, &path, into);
        } else {
            let key: Vec<String> = path
                .strip_prefix(root)
                .expect("under the fixtures directory")
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            into.push((key.join("/"), path));
        }
    }
}

fn path_str(path: &Path) -> String {
    path.to_str()
        .unwrap_or_else(|| panic!("{}: not UTF-8", path.display()))
        .to_owned()
}
