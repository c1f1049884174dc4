//! Embeds every `migrations/*.sql` file, in name order, into the library,
//! and writes the HTTP routes of `infra/functions.toml` as constants of
//! `shared::api::routes` (so that the dashboard's API client takes its
//! paths from the manifest, not from hand-copied strings).
use std::{env, fs, path::Path};

fn main() {
    let root = Path::new(&env::var("CARGO_MANIFEST_DIR").unwrap()).join("..");
    let out = Path::new(&env::var("OUT_DIR").unwrap()).to_path_buf();
    migrations(&root.join("migrations"), &out);
    routes(&root.join("infra/functions.toml"), &out);
}

fn migrations(dir: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut files: Vec<_> = fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p| p.extension().is_some_and(|e| e == "sql"));
    files.sort();
    let mut code = String::from("pub const MIGRATIONS: &[(&str, &str)] = &[\n");
    for path in files {
        println!("cargo:rerun-if-changed={}", path.display());
        let name = path.file_stem().unwrap().to_string_lossy().to_string();
        code.push_str(&format!(
            "    ({name:?}, include_str!({:?})),\n",
            path.canonicalize().unwrap()
        ));
    }
    code.push_str("];\n");
    fs::write(out.join("migrations.rs"), code).unwrap();
}

/// The manifest's `[[function]]` entries with a method and a path. The
/// manifest is read line by line (`key = "value"`); `manifest.rs` parses it
/// properly, and a test there checks that both readings agree.
fn routes(manifest: &Path, out: &Path) {
    println!("cargo:rerun-if-changed={}", manifest.display());
    let text = fs::read_to_string(manifest).unwrap();
    let mut entries: Vec<[Option<String>; 3]> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line == "[[function]]" {
            entries.push([None, None, None]);
            continue;
        }
        if line.starts_with('[') {
            entries.push([None, None, None]);
            continue;
        }
        let Some((key, value)) = line.split_once('=') else {
            continue;
        };
        let value = value.trim().trim_matches('"').to_string();
        let slot = match key.trim() {
            "name" => 0,
            "method" => 1,
            "path" => 2,
            _ => continue,
        };
        if let Some(entry) = entries.last_mut() {
            entry[slot] = Some(value);
        }
    }
    let mut code = String::new();
    let mut all = Vec::new();
    for entry in entries {
        let [Some(name), Some(method), Some(path)] = entry else {
            continue;
        };
        let ident = name.to_uppercase().replace('-', "_");
        code.push_str(&format!(
            "/// `{method} {path}` (function `{name}`).\npub const {ident}: Route = Route {{ function: {name:?}, method: {method:?}, path: {path:?} }};\n"
        ));
        all.push(ident);
    }
    code.push_str(&format!(
        "/// Every HTTP route of the manifest, in its order.\npub const ALL: &[Route] = &[{}];\n",
        all.join(", ")
    ));
    fs::write(out.join("routes.rs"), code).unwrap();
}
