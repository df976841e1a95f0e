//! The per-backend migrations, embedded in the binary. Append-only: a released file is never
//! edited (sqlx refuses to start on a database whose applied migration's checksum differs, and
//! the test `released_migrations_are_never_edited` compares every file with
//! `migrations/CHECKSUMS`). A schema change is a new file in *both* folders and a new line in
//! both lists below.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;

/// One migration: version, description, SQL.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub file: &'static str,
    pub sql: &'static str,
}

macro_rules! migrations {
    ($dir:literal: $($version:literal $file:literal),* $(,)?) => {
        &[$(Migration {
            version: $version,
            file: $file,
            sql: include_str!(concat!("../migrations/", $dir, "/", $file)),
        }),*]
    };
}

pub const MIGRATIONS_SQLITE: &[Migration] = migrations!("sqlite": 1 "0001_initial.sql", 2 "0002_plans_progression.sql", 3 "0003_names_costs.sql");
pub const MIGRATIONS_POSTGRES: &[Migration] = migrations!("postgres": 1 "0001_initial.sql", 2 "0002_plans_progression.sql", 3 "0003_names_costs.sql");

/// The embedded migrations as sqlx's migration source.
#[derive(Debug)]
pub(crate) struct Embedded(pub &'static [Migration]);

type Resolved = Result<Vec<sqlx::migrate::Migration>, sqlx::error::BoxDynError>;

impl<'s> sqlx::migrate::MigrationSource<'s> for Embedded {
    fn resolve(self) -> Pin<Box<dyn Future<Output = Resolved> + Send + 's>> {
        Box::pin(async move {
            Ok(self
                .0
                .iter()
                .map(|m| {
                    sqlx::migrate::Migration::new(
                        m.version,
                        Cow::Borrowed(m.file),
                        sqlx::migrate::MigrationType::Simple,
                        Cow::Borrowed(m.sql),
                        false,
                    )
                })
                .collect())
        })
    }
}

pub(crate) async fn migrator(list: &'static [Migration]) -> crate::Result<sqlx::migrate::Migrator> {
    Ok(sqlx::migrate::Migrator::new(Embedded(list)).await?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};
    use std::collections::BTreeMap;
    use std::path::Path;

    /// Every file of `migrations/<backend>/` is listed, in order, and every file already in
    /// `migrations/CHECKSUMS` still has its recorded SHA-256. To release a new migration, add
    /// its line to CHECKSUMS (`sha256sum migrations/*/*.sql`); never change an existing line.
    #[test]
    fn released_migrations_are_never_edited() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let recorded: BTreeMap<String, String> =
            std::fs::read_to_string(root.join("migrations/CHECKSUMS"))
                .unwrap()
                .lines()
                .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
                .map(|l| {
                    let (sum, file) = l.split_once(char::is_whitespace).unwrap();
                    (file.trim().to_string(), sum.to_string())
                })
                .collect();
        for (dir, list) in [
            ("sqlite", MIGRATIONS_SQLITE),
            ("postgres", MIGRATIONS_POSTGRES),
        ] {
            let mut on_disk: Vec<String> = std::fs::read_dir(root.join("migrations").join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            on_disk.sort();
            let listed: Vec<String> = list.iter().map(|m| m.file.to_string()).collect();
            assert_eq!(
                on_disk, listed,
                "every file in migrations/{dir} is listed, in order"
            );
            for (i, m) in list.iter().enumerate() {
                assert_eq!(m.version, i as i64 + 1, "versions count up from 1");
                let key = format!("migrations/{dir}/{}", m.file);
                let sum = hex::encode(Sha256::digest(m.sql.as_bytes()));
                match recorded.get(&key) {
                    Some(r) => assert_eq!(
                        r, &sum,
                        "{key} was released and must not be edited: add a new migration"
                    ),
                    None => panic!("{key} is not in migrations/CHECKSUMS: add `{sum}  {key}`"),
                }
            }
        }
    }
}
