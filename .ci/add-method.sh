#!/usr/bin/env bash
# Adding a method is adding a YAML file: in a scratch copy of the workspace, add a spec, call the
# generated method against the mock portal, edit the spec and use the new parameter, then remove
# the spec and see the method disappear. No Rust outside the caller's own example is touched.
# With the spec added, the generic tests over all specs (tests/tests/suite/specs.rs) run too:
# they find the new method through the generated registry and hooks, not through a list.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
(cd "$root" && git ls-files --cached --others --exclude-standard -z | tar --null -cf - -T -) | tar -C "$scratch" -xf -
# The workspace's own target dir: the scratch copy's crates live at other paths, so they are
# built beside the workspace's, and the dependencies from crates.io are reused.
export CARGO_TARGET_DIR="$root/target"
cd "$scratch"

spec=specs/imbot/imbot.v2.Demo.ping.yaml
cat > "$spec" <<'YAML'
method: imbot.v2.Demo.ping
scope: imbot
summary: Ask the bot platform whether a bot is alive.
access: owner of the registered bot
contexts: [application, webhook]
idempotent: true
docs: https://apidocs.bitrix24.com/
params:
  botId: { type: integer, required: true, description: Bot ID. }
result:
  type: object
  name: DemoPingResult
  required: true
  fields:
    alive: { type: boolean, required: true, description: Whether the bot answers. }
examples:
  - response: { result: { alive: "Y" }, time: { duration: 0.01 } }
YAML

cat > bitrix-api/examples/added.rs <<'RUST'
//! Calls a method that exists only as a YAML file.
use bitrix_api::imbot::ImbotV2DemoPing;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = bitrix_mock::MockPortal::start().await?;
    let client = bitrix_api::Client::with_access_token(&mock.base_url(), mock.access_token())?;
    let (bot, _) = mock.bot();
    let request = ImbotV2DemoPing::new(bot);
    // (the setter of the edited spec goes here)
    let reply = client.call(request).await?;
    println!("imbot.v2.Demo.ping answered alive = {}", reply.alive);
    assert!(reply.alive);
    Ok(())
}
RUST

echo "-- added $spec; building and calling it"
cargo run --quiet -p bitrix-api --example added

echo "-- the generic tests over every spec, the added one included"
out=$(cargo test --quiet -p bitrix-tests --test suite specs:: 2>&1) || { echo "$out" >&2; exit 1; }
echo "$out" | grep -E '^test result' || true
# The registry is generated from specs/: the new method must be in it.
cat > bitrix-api/examples/registry.rs <<'RUST'
//! Lists the registry.
fn main() {
    assert!(bitrix_api::methods().iter().any(|m| m.name == "imbot.v2.Demo.ping"));
    println!("the registry lists imbot.v2.Demo.ping");
}
RUST
cargo run --quiet -p bitrix-api --example registry

echo "-- edited the spec (new optional parameter); the caller uses its setter"
sed -i 's/^params:$/params:\n  verbose: { type: boolean, description: Say more. }/' "$spec"
sed -i 's|// (the setter of the edited spec goes here)|let request = request.verbose(true);|' bitrix-api/examples/added.rs
cargo run --quiet -p bitrix-api --example added

echo "-- removed the spec; the method must be gone"
rm "$spec"
if cargo build --quiet -p bitrix-api --example added 2>/dev/null; then
    echo "FAIL: the method is still there after its spec was removed" >&2
    exit 1
fi
echo "ok: adding, editing and removing a YAML file adds, changes and removes the method"

echo "-- a method of a new scope: the build names the one command to run, then it works"
mkdir -p specs/demo
cat > specs/demo/demo.ping.yaml <<'YAML'
method: demo.ping
scope: demo
summary: Ask whether the demo module answers.
access: any user
contexts: [application, webhook]
idempotent: true
docs: https://apidocs.bitrix24.com/
result:
  type: boolean
  required: true
examples:
  - response: { result: true, time: { duration: 0.01 } }
YAML
if out=$(cargo build --quiet -p bitrix-api 2>&1); then
    echo "FAIL: specs/demo/ without a crate built without a word" >&2
    exit 1
fi
echo "$out" | grep -F 'run `bash scopes/new.sh demo`' || { echo "$out" >&2; exit 1; }
bash scopes/new.sh demo
cat > bitrix-api/examples/new_scope.rs <<'RUST'
//! Calls a method of a scope that exists only as a folder of YAML files and its crate.
#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mock = bitrix_mock::MockPortal::start().await?;
    let client = bitrix_api::Client::with_access_token(&mock.base_url(), mock.access_token())?;
    assert!(client.call(bitrix_api::demo::DemoPing::new()).await?);
    assert!(bitrix_api::methods().iter().any(|m| m.name == "demo.ping"));
    println!("demo.ping answered");
    Ok(())
}
RUST
cargo run --quiet -p bitrix-api --example new_scope
echo "ok: a new scope is a folder of YAML files and one command"
