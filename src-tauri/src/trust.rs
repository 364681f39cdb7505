//! Which server origins may reach this machine's hardware through the admin window.
//!
//! The admin window shows pages served by the configured server; granting them the badge commands lets those pages
//! drive the local NFC reader. Over plain http from another machine, anyone on the venue network could answer in
//! the server's place, so the grant is given only to https origins and to this machine (loopback, the embedded
//! server).

/// Whether pages from `origin` (`scheme://host[:port]`) may use the badge commands.
pub fn may_use_local_reader(origin: &str) -> bool {
    let Ok(url) = url::Url::parse(origin) else {
        return false;
    };
    match url.scheme() {
        "https" => true,
        "http" => match url.host() {
            Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        },
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::may_use_local_reader;

    #[test]
    fn only_https_and_this_machine_get_the_reader() {
        for ok in [
            "https://wall.example.org",
            "http://127.0.0.1:8080",
            "http://localhost:8080",
            "http://[::1]:8080",
        ] {
            assert!(may_use_local_reader(ok), "{ok}");
        }
        for no in [
            "http://10.0.0.2:8080",
            "http://wall.example.org",
            "ftp://127.0.0.1",
            "not a url",
        ] {
            assert!(!may_use_local_reader(no), "{no}");
        }
    }
}
