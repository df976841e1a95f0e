//! Whether a PostgreSQL server is reachable, for the tests of the coming server.

use crate::policy::{Absence, Service, require};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// Where the tests look for PostgreSQL when `DATABASE_URL` is not set.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";

/// A reachable PostgreSQL server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Postgres {
    /// The connection URL (`DATABASE_URL`, or [`DEFAULT_DATABASE_URL`]).
    pub url: String,
    /// The address that accepted a TCP connection.
    pub addr: SocketAddr,
}

/// PostgreSQL for the calling test, under the policy of [`require`].
pub fn postgres() -> Option<Postgres> {
    require(&probe_postgres())
}

/// Probes `DATABASE_URL` (or [`DEFAULT_DATABASE_URL`]) with a TCP connection.
pub fn probe_postgres() -> Result<Postgres, Absence> {
    let (url, from) = match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => (url, "DATABASE_URL"),
        _ => (
            DEFAULT_DATABASE_URL.to_owned(),
            "the default (DATABASE_URL is unset)",
        ),
    };
    let absent = |because: String| Absence {
        service: Service::PostgreSql,
        because,
        fix: "apt-get install -y postgresql && service postgresql start".to_owned(),
    };
    let (host, port) =
        host_and_port(&url).ok_or_else(|| absent(format!("{from} `{url}` names no host")))?;
    let addrs: Vec<SocketAddr> = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| {
            absent(format!(
                "{from} names {host}:{port}, which does not resolve: {e}"
            ))
        })?
        .collect();
    let mut last_error = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(2)) {
            Ok(_) => return Ok(Postgres { url, addr }),
            Err(e) => last_error = Some(format!("{addr}: {e}")),
        }
    }
    Err(absent(format!(
        "nothing accepts a connection at {host}:{port} from {from} ({})",
        last_error.unwrap_or_else(|| "no address".to_owned())
    )))
}

/// The host and port of a `postgres://[user[:password]@]host[:port][/db][?…]` URL.
fn host_and_port(url: &str) -> Option<(String, u16)> {
    let rest = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))?;
    let authority = rest.split(['/', '?']).next()?;
    let hostport = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let (host, port) = if let Some(v6) = hostport.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match hostport.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (hostport, None),
        }
    };
    let port = match port {
        Some(p) => p.parse().ok()?,
        None => 5432,
    };
    let host = if host.is_empty() { "localhost" } else { host };
    Some((host.to_owned(), port))
}

#[cfg(test)]
mod tests {
    use super::host_and_port;

    #[test]
    fn urls_give_host_and_port() {
        let hp = host_and_port;
        assert_eq!(
            hp(super::DEFAULT_DATABASE_URL),
            Some(("127.0.0.1".into(), 5432))
        );
        assert_eq!(
            hp("postgres://u:p@db.example:6543/x?sslmode=disable"),
            Some(("db.example".into(), 6543))
        );
        assert_eq!(hp("postgresql://db"), Some(("db".into(), 5432)));
        assert_eq!(hp("postgres://u@[::1]:5433/x"), Some(("::1".into(), 5433)));
        assert_eq!(hp("postgres:///x"), Some(("localhost".into(), 5432)));
        assert_eq!(hp("mysql://db"), None);
        assert_eq!(hp("postgres://db:notaport"), None);
    }
}
