//! The portal calling an application: what a message provider's handler receives when a user
//! sends a message through it.

use std::io;
use std::time::Duration;

use crate::MockPortal;
use crate::auth::ADMIN_USER_ID;
use crate::{clock, params};

/// A handler that does not answer within this long fails the delivery instead of hanging a test.
const HANDLER_TIMEOUT: Duration = Duration::from_secs(10);

/// What [`MockPortal::deliver_sms`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveredSms {
    /// The `message_id` the handler received, for `messageservice.message.status.update`.
    pub message_id: String,
    /// The HTTP status the handler answered.
    pub handler_status: u16,
}

impl MockPortal {
    /// The `application_token` of an installed application ([`MAIN_APP`](crate::MAIN_APP) or
    /// [`OTHER_APP`](crate::OTHER_APP)), issued at install: the secret the portal puts into
    /// `auth[application_token]` of every request it makes to the application's handlers, so
    /// that they can tell real requests from forged ones. Empty for an unknown application.
    pub fn application_token(&self, app: &str) -> String {
        self.portal.oauth.application_token(app).unwrap_or_default()
    }

    /// Sends a message through provider `code` of `app` like [`send_sms`](Self::send_sms), then
    /// POSTs it to the provider's `HANDLER` as the portal does and answers the message id and
    /// the handler's HTTP status (any status; redirects are not followed).
    ///
    /// The body is `application/x-www-form-urlencoded`, PHP-style (`http_build_query`), with
    /// `module_id=crm`, `bindings[0][OWNER_TYPE_ID]=3`, `bindings[0][OWNER_ID]=1`,
    /// `properties[phone_number]`, `properties[message_text]`, `type`, `code`, `message_id`,
    /// `message_to`, `message_body`, `ts` (Unix seconds) and `auth[..]`: `access_token` (fresh,
    /// working), `expires`, `expires_in`, `scope`, `domain`, `server_endpoint`, `status` (`L`),
    /// `client_endpoint`, `member_id`, `user_id` (the administrator), `refresh_token` (the
    /// grant's current one, not rotated) and `application_token`.
    ///
    /// Fails with `NotFound` if `app` has no such provider, and with the transport error if the
    /// handler cannot be reached; the message is recorded in either case once the provider
    /// exists.
    pub async fn deliver_sms(
        &self,
        app: &str,
        code: &str,
        to: &str,
        body: &str,
    ) -> io::Result<DeliveredSms> {
        let (message_id, kind, handler) = {
            let mut state = self.portal.lock();
            let provider = state
                .providers
                .get(app)
                .and_then(|ps| ps.iter().find(|p| p.code == code))
                .map(|p| (p.kind.clone(), p.handler.clone()));
            let id = state.send_sms(app, code, to, body);
            match (id, provider) {
                (Some(id), Some((kind, handler))) => (id, kind, handler),
                _ => {
                    let what = format!("{app} has no message provider {code:?}");
                    return Err(io::Error::new(io::ErrorKind::NotFound, what));
                }
            }
        };
        let form = self.handler_form(
            app,
            &[
                ("module_id", "crm".to_owned()),
                ("bindings[0][OWNER_TYPE_ID]", "3".to_owned()),
                ("bindings[0][OWNER_ID]", "1".to_owned()),
                ("properties[phone_number]", to.to_owned()),
                ("properties[message_text]", body.to_owned()),
                ("type", kind),
                ("code", code.to_owned()),
                ("message_id", message_id.clone()),
                ("message_to", to.to_owned()),
                ("message_body", body.to_owned()),
                ("ts", clock::unix_secs().to_string()),
            ],
        )?;
        let handler_status = self.post_to_handler(&handler, form).await?;
        Ok(DeliveredSms {
            message_id,
            handler_status,
        })
    }

    /// POSTs `form_body` as `application/x-www-form-urlencoded` to `url` and answers the HTTP
    /// status; for tests that send a handler payloads of their own (forged tokens, missing
    /// fields). Redirects are not followed; a handler silent for 10 s is a `TimedOut` error.
    pub async fn post_to_handler(&self, url: &str, form_body: String) -> io::Result<u16> {
        // One client per call: a client pooling connections across tests' runtimes breaks.
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(HANDLER_TIMEOUT)
            .build()
            .map_err(io::Error::other)?;
        let response = client
            .post(url)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form_body)
            .send()
            .await
            .map_err(|e| {
                let kind = if e.is_timeout() {
                    io::ErrorKind::TimedOut
                } else {
                    io::ErrorKind::Other
                };
                io::Error::new(kind, e)
            })?;
        Ok(response.status().as_u16())
    }

    /// `fields` followed by the `auth[..]` block with working tokens of `app`, form-encoded.
    fn handler_form(&self, app: &str, fields: &[(&str, String)]) -> io::Result<String> {
        let portal = &self.portal;
        let Some(auth) = portal.oauth.handler_auth(app) else {
            let what = format!("{app} is not an installed application");
            return Err(io::Error::new(io::ErrorKind::NotFound, what));
        };
        let current = portal.current_base();
        let expires = clock::unix_secs().saturating_add_unsigned(auth.expires_in);
        let mut pairs = fields.to_vec();
        pairs.extend([
            ("auth[access_token]", auth.access_token),
            ("auth[expires]", expires.to_string()),
            ("auth[expires_in]", auth.expires_in.to_string()),
            ("auth[scope]", portal.scope.clone()),
            // The portal's own domain, where the event happened; the authorization server is
            // the address the token endpoint stays at.
            ("auth[domain]", crate::net::host(&current).to_owned()),
            (
                "auth[server_endpoint]",
                format!("{}/rest/", self.base_url()),
            ),
            // `L`: a local application, which is what the mock's applications are.
            ("auth[status]", "L".to_owned()),
            ("auth[client_endpoint]", format!("{current}/rest/")),
            ("auth[member_id]", auth.member_id),
            ("auth[user_id]", ADMIN_USER_ID.to_string()),
            ("auth[refresh_token]", auth.refresh_token),
            ("auth[application_token]", auth.application_token),
        ]);
        Ok(params::build_form(&pairs))
    }
}
