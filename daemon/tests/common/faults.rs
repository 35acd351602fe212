//! Real storage faults for tests, undone on drop: [`Tmpfs`] (a small RAM file system mounted
//! over a directory, to fill up) and [`Immutable`] (`chattr +i`: even root cannot write the
//! file, the way a read-only file system refuses a daemon that holds it open). Both need
//! root; [`root_or_skip`] says loudly when a test cannot run here.

use std::path::{Path, PathBuf};
use std::process::Command;

/// True when the test runs as root; otherwise prints the loud skip line.
pub fn root_or_skip(test: &str, needs: &str) -> bool {
    if nix::unistd::geteuid().is_root() {
        return true;
    }
    eprintln!("\n*** SKIPPED: {test} needs root ({needs}) ***\n");
    false
}

/// A tmpfs of `size` (e.g. `8m`) mounted on a directory until dropped.
#[derive(Debug)]
pub struct Tmpfs {
    path: PathBuf,
}

impl Tmpfs {
    /// Mounts it on `path` (created if missing); `None` with a loud line when mounting is not
    /// allowed here.
    pub fn mount(path: &Path, size: &str) -> Option<Self> {
        std::fs::create_dir_all(path).unwrap();
        let out = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(path)
            .output()
            .expect("mount runs");
        if !out.status.success() {
            eprintln!(
                "\n*** SKIPPED: cannot mount a tmpfs here: {} ***\n",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(Self {
            path: path.to_path_buf(),
        })
    }

    /// Writes a file until the file system is full; returns it (remove it to free the space).
    pub fn fill(&self) -> PathBuf {
        use std::io::Write;
        let filler = self.path.join("filler");
        let mut file = std::fs::File::create(&filler).unwrap();
        for chunk in [64 * 1024, 4096, 512, 1] {
            let block = vec![0u8; chunk];
            while file.write_all(&block).and_then(|()| file.flush()).is_ok() {}
        }
        filler
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        // Lazy: a process still holding a file there must not make the test hang.
        let _ = Command::new("umount").arg("-l").arg(&self.path).status();
    }
}

/// Files made immutable (`chattr +i`) until dropped.
#[derive(Debug)]
pub struct Immutable {
    paths: Vec<PathBuf>,
}

impl Immutable {
    /// Makes every existing path in `paths` immutable; `None` with a loud line when the file
    /// system has no such flag.
    pub fn set(paths: &[PathBuf]) -> Option<Self> {
        let existing: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
        let out = Command::new("chattr")
            .arg("+i")
            .args(&existing)
            .output()
            .expect("chattr runs");
        if !out.status.success() {
            eprintln!(
                "\n*** SKIPPED: cannot make files immutable here: {} ***\n",
                String::from_utf8_lossy(&out.stderr).trim()
            );
            return None;
        }
        Some(Self { paths: existing })
    }

    /// Makes the files writable again now.
    pub fn clear(mut self) {
        self.undo();
    }

    fn undo(&mut self) {
        if !self.paths.is_empty() {
            let _ = Command::new("chattr").arg("-i").args(&self.paths).status();
            self.paths.clear();
        }
    }
}

impl Drop for Immutable {
    fn drop(&mut self) {
        self.undo();
    }
}

/// `orchestrator.db` and its WAL in `data_dir`, and the directory itself.
pub fn database_files(data_dir: &Path) -> Vec<PathBuf> {
    vec![
        data_dir.join("orchestrator.db"),
        data_dir.join("orchestrator.db-wal"),
        data_dir.to_path_buf(),
    ]
}
