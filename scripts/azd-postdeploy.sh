#!/usr/bin/env sh
# azd postdeploy hook: the second deployment phase. The app is published and its host has loaded the blob triggers,
# so the blobs_extension system key exists; deploy the template again with the Event Grid subscriptions on.
# azd exports AZURE_RESOURCE_GROUP and the template's outputs (FUNCTION_APP_NAME, ...) into this environment.
set -eu

: "${AZURE_RESOURCE_GROUP:?azd did not set AZURE_RESOURCE_GROUP}"
: "${FUNCTION_APP_NAME:?azd did not set FUNCTION_APP_NAME (an output of infra/main.bicep)}"
: "${AUTH_CLIENT_ID:?set the Entra app registration first: azd env set AUTH_CLIENT_ID <appId> (infra/README.md)}"

# The host writes the blobs_extension key when it first starts with a blob trigger; wake it and wait for the key.
attempt=0
until az functionapp keys list -g "$AZURE_RESOURCE_GROUP" -n "$FUNCTION_APP_NAME" \
        --query "systemKeys.blobs_extension" -o tsv 2>/dev/null | grep -q .; do
  attempt=$((attempt + 1))
  if [ "$attempt" -gt 20 ]; then
    echo "The blobs_extension key did not appear within 10 minutes; check the app's logs, then run: azd hooks run postdeploy" >&2
    exit 1
  fi
  curl -s -o /dev/null "https://$(az functionapp show -g "$AZURE_RESOURCE_GROUP" -n "$FUNCTION_APP_NAME" --query defaultHostName -o tsv)/" || true
  sleep 30
done

az deployment group create \
  --resource-group "$AZURE_RESOURCE_GROUP" \
  --name mediaretention-event-subscriptions \
  --template-file infra/main.bicep \
  --parameters @infra/main.parameters.json \
  --parameters deployEventSubscriptions=true authClientId="$AUTH_CLIENT_ID" \
  --output none

echo "Event Grid subscriptions for IngestCctvBlob and IngestCallBlob are in place."
