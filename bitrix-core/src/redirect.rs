//! Which redirects the client follows with its credentials.
//!
//! A REST call carries a credential in every request: the webhook code in the path, or the
//! access token in the body. Following a redirect sends it again, to wherever `Location` points.
//! So a redirect is followed only to an address the user configured or a Bitrix24 portal can
//! legitimately move to, never from `https` down to plain `http`, and at most once per call.

use reqwest::Url;

/// Where the client follows a portal that answers a REST call with a redirect (`3xx` and a
/// `Location`), as Bitrix24 does after a portal's domain was changed. Set it with
/// [`ClientBuilder::redirects`](crate::ClientBuilder::redirects).
///
/// Whatever the policy:
/// - the credentials go to the new address only if the policy allows it; otherwise the call
///   fails with [`TransportKind::Redirect`](crate::TransportKind::Redirect), whose text names the
///   host that was refused and never the path (which may quote the webhook code);
/// - a redirect from `https://` to plain `http://` is refused unless
///   [`allow_insecure_http`](crate::ClientBuilder::allow_insecure_http) is set (a portal served
///   on loopback over `http://` may move to another loopback address);
/// - only the new scheme, host and port are taken from `Location`: the request keeps its own
///   path, so a webhook code goes nowhere but `/rest/{user}/{code}/`;
/// - one call follows one move; a second redirect in the same call is an error;
/// - a move that is followed is kept: the client and all its clones (which share one portal)
///   send later calls to the new address, shown by [`Client::portal`](crate::Client::portal),
///   and the move is logged at `warn` level.
///
/// The token endpoint never follows redirects.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RedirectPolicy {
    /// No redirect is followed: each is an error.
    Never,
    /// A portal's domain move (the default): to the same host (another port), or from one
    /// portal of a Bitrix24 cloud zone to another of the same zone
    /// (`old.bitrix24.com` → `new.bitrix24.com`, `a.bitrix24.de` → `b.bitrix24.de`).
    /// A move to any other host, including from or to a self-hosted portal, is refused.
    #[default]
    DomainMove,
    /// What [`DomainMove`](Self::DomainMove) follows, and also moves to these hosts (exact names,
    /// compared without regard to case): for a self-hosted portal moving to a known address.
    Hosts(Vec<String>),
    /// Any host. The credentials go wherever the portal, or anything between the client and
    /// the portal, points: only for a portal and network that are trusted entirely.
    AnyHost,
}

impl RedirectPolicy {
    /// Whether a call to `from` may follow a redirect to `to`: `Err` says why not, naming hosts
    /// only.
    pub(crate) fn check(&self, from: &Url, to: &Url, allow_http: bool) -> Result<(), String> {
        if !matches!(to.scheme(), "http" | "https") {
            return Err(format!(
                "a redirect to a {}: address is never followed",
                to.scheme()
            ));
        }
        let to_host = to.host_str().unwrap_or_default().to_ascii_lowercase();
        if to.scheme() == "http" && !allow_http && !(from.scheme() == "http" && is_loopback(to)) {
            return Err(format!(
                "the portal redirected to plain http:// on {to_host}: credentials would travel in clear (allow_insecure_http(true) allows it)"
            ));
        }
        let from_host = from.host_str().unwrap_or_default().to_ascii_lowercase();
        let domain_move = from_host == to_host || same_cloud_zone(&from_host, &to_host);
        let allowed = match self {
            RedirectPolicy::Never => false,
            RedirectPolicy::DomainMove => domain_move,
            RedirectPolicy::Hosts(hosts) => {
                domain_move || hosts.iter().any(|h| h.eq_ignore_ascii_case(&to_host))
            }
            RedirectPolicy::AnyHost => true,
        };
        if allowed {
            Ok(())
        } else {
            Err(format!(
                "the portal {from_host} redirected to {to_host}, which the redirect policy ({self:?}) does not send credentials to; see ClientBuilder::redirects"
            ))
        }
    }
}

/// `a.bitrix24.com` and `b.bitrix24.com`: two portals of one Bitrix24 cloud zone, each a single
/// label in front of a zone that starts with `bitrix24.`.
fn same_cloud_zone(a: &str, b: &str) -> bool {
    let zone = |h: &str| {
        h.split_once('.')
            .filter(|(label, zone)| !label.is_empty() && zone.starts_with("bitrix24."))
            .map(|(_, zone)| zone.to_owned())
    };
    match (zone(a), zone(b)) {
        (Some(x), Some(y)) => x == y && x.len() > "bitrix24.".len(),
        _ => false,
    }
}

pub(crate) fn is_loopback(url: &Url) -> bool {
    match url.host_str() {
        Some("localhost") => true,
        Some(h) => h
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(policy: &RedirectPolicy, from: &str, to: &str, allow_http: bool) -> bool {
        let (from, to) = (Url::parse(from).unwrap(), Url::parse(to).unwrap());
        policy.check(&from, &to, allow_http).is_ok()
    }

    #[test]
    fn what_each_policy_follows() {
        use RedirectPolicy::*;
        let trusted = Hosts(vec!["New.Example.com".into()]);
        // (from, to, allow_http, [Never, DomainMove, Hosts, AnyHost])
        let table: &[(&str, &str, bool, [bool; 4])] = &[
            // A cloud portal renamed within its zone.
            (
                "https://a.bitrix24.com",
                "https://b.bitrix24.com/rest/x",
                false,
                [false, true, true, true],
            ),
            (
                "https://a.bitrix24.de",
                "https://b.bitrix24.de",
                false,
                [false, true, true, true],
            ),
            // Another zone, another registrable domain, a look-alike, a deeper name.
            (
                "https://a.bitrix24.com",
                "https://b.bitrix24.de",
                false,
                [false, false, false, true],
            ),
            (
                "https://a.bitrix24.com",
                "https://evil.com",
                false,
                [false, false, false, true],
            ),
            (
                "https://a.bitrix24.com",
                "https://b.bitrix24.com.evil.com",
                false,
                [false, false, false, true],
            ),
            (
                "https://a.bitrix24.com",
                "https://x.b.bitrix24.com",
                false,
                [false, false, false, true],
            ),
            (
                "https://a.bitrix24.com",
                "https://bitrix24.com",
                false,
                [false, false, false, true],
            ),
            // Self-hosted: the same host on another port; a host the user named.
            (
                "https://crm.example.com",
                "https://crm.example.com:8443",
                false,
                [false, true, true, true],
            ),
            (
                "https://crm.example.com",
                "https://new.example.com",
                false,
                [false, false, true, true],
            ),
            (
                "https://crm.example.com",
                "https://other.example.com",
                false,
                [false, false, false, true],
            ),
            // Never down to plain http, whatever the policy, unless allowed.
            (
                "https://a.bitrix24.com",
                "http://b.bitrix24.com",
                false,
                [false, false, false, false],
            ),
            (
                "https://a.bitrix24.com",
                "http://a.bitrix24.com",
                false,
                [false, false, false, false],
            ),
            (
                "https://a.bitrix24.com",
                "http://127.0.0.1",
                false,
                [false, false, false, false],
            ),
            (
                "https://a.bitrix24.com",
                "http://a.bitrix24.com",
                true,
                [false, true, true, true],
            ),
            // A portal on loopback over http may move to another loopback port.
            (
                "http://127.0.0.1:1",
                "http://127.0.0.1:2",
                false,
                [false, true, true, true],
            ),
            (
                "http://127.0.0.1:1",
                "http://localhost:2",
                false,
                [false, false, false, true],
            ),
            // Not http at all.
            (
                "https://a.bitrix24.com",
                "ftp://b.bitrix24.com",
                true,
                [false, false, false, false],
            ),
        ];
        for (from, to, allow_http, expected) in table {
            for (policy, want) in [Never, DomainMove, trusted.clone(), AnyHost]
                .iter()
                .zip(expected)
            {
                assert_eq!(
                    check(policy, from, to, *allow_http),
                    *want,
                    "{policy:?}: {from} -> {to} (allow_http {allow_http})"
                );
            }
        }
    }

    #[test]
    fn a_refusal_names_hosts_only() {
        let from = Url::parse("https://a.bitrix24.com").unwrap();
        let to = Url::parse("https://evil.com/rest/1/webhookcode/x?auth=token").unwrap();
        let why = RedirectPolicy::DomainMove
            .check(&from, &to, false)
            .unwrap_err();
        assert!(why.contains("evil.com"), "{why}");
        assert!(
            !why.contains("webhookcode") && !why.contains("token"),
            "{why}"
        );
    }
}
