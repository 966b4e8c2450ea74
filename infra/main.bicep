// MediaRetention on Azure: a StorageV2 account for the media, bookkeeping tables and the immutable audit anchors; a
// separate account for the Functions host's own storage (keys, leases, deployment package); a Key Vault for the evidence
// signing certificate and the phone-hash key ring; and a Flex Consumption function app that reaches them with its
// system-assigned managed identity only, each role scoped to the containers and tables it uses.
// Blob ingest is driven by Event Grid (the only blob trigger source Flex Consumption supports).
// See infra/README.md for the two-phase deployment and the App Service Authentication setup.

targetScope = 'resourceGroup'

@description('Azure region for every resource.')
param location string = 'norwayeast'

@description('Short lower-case prefix for resource names.')
@minLength(3)
@maxLength(11)
param baseName string = 'mediaret'

@description('Storage redundancy for media and bookkeeping.')
@allowed([
  'Standard_LRS'
  'Standard_ZRS'
  'Standard_GRS'
  'Standard_GZRS'
])
param storageSku string = 'Standard_ZRS'

@description('dotnet-isolated runtime version on Flex Consumption (the app targets .NET 10).')
@allowed([
  '8.0'
  '9.0'
  '10.0'
])
param functionRuntimeVersion string = '10.0'

@description('Upper bound of Flex Consumption instances.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance (MB).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

@description('Container for CCTV recordings.')
param cctvContainerName string = 'cctv'

@description('Container for call recordings.')
param callsContainerName string = 'calls'

@description('Container for the app\'s own state (checkpoints, retention lease).')
param stateContainerName string = 'mediaretention-state'

@description('Storage queue whose trigger runs the operations asked for over HTTP (sweeps, evidence re-checks).')
param operationsQueueName string = 'mediaretention-operations'

@description('NCRONTAB (with seconds) of the retention sweep.')
param retentionSchedule string = '0 */15 * * * *'

@description('NCRONTAB (with seconds) of the audit chain anchoring (the head is also anchored after every sweep).')
param auditAnchorSchedule string = '0 */5 * * * *'

@description('Days each audit anchor blob stays undeletable and unmodifiable (time-based immutability; appends stay allowed).')
@minValue(1)
@maxValue(146000)
param auditAnchorImmutabilityDays int = 3650

@description('Name of the evidence signing certificate in the Key Vault (create it after phase 1: infra/README.md).')
param evidenceSigningCertificateName string = 'evidence-signing'

@description('Name of the Key Vault secret holding the phone-number hash key ring (create it after phase 1: infra/README.md).')
param phoneHashSecretName string = 'phone-hash-keys'

@description('Region whose national format is assumed for phone numbers without a country code (Phone:DefaultRegion).')
@minLength(2)
@maxLength(2)
param phoneDefaultRegion string = 'NO'

@description('Phase 2: create the Event Grid subscriptions. Needs the app code deployed first (the blobs_extension key exists only once the host has loaded a blob trigger).')
param deployEventSubscriptions bool = false

// Required, with no default: the app trusts X-MS-CLIENT-PRINCIPAL only while App Service Authentication is on
// (WEBSITE_AUTH_ENABLED): without authentication every API route would refuse every caller, so no deployment omits it.
@description('Client id (a GUID) of the Entra ID app registration used by App Service Authentication. Required: see infra/README.md to create it.')
@minLength(36)
@maxLength(36)
param authClientId string

@description('Extra origins the web console is opened from (e.g. a custom domain: https://media.example.org); the app\'s own https://<app>.azurewebsites.net is always allowed.')
param consoleOrigins array = []

@description('Set a version-level legal hold on held blobs as well as the app\'s own hold marks (Holds:UseImmutabilityLegalHold). Turns on blob versioning and version-level immutability on the media containers, and a lifecycle rule that deletes non-current versions a day after they become non-current, so "deleted" footage does not live on as old versions.')
param useImmutabilityLegalHold bool = false

@description('Email address that receives the operational alerts (retention lag, failed sweeps); empty: no email.')
param alertEmail string = ''

@description('Resource id of an existing action group that receives the operational alerts as well; empty: none.')
param alertActionGroupId string = ''

@description('Alert when an expired, unheld medium has been past its expiry for longer than this (seconds).')
@minValue(60)
param retentionLagAlertSeconds int = 3600

@description('Tags for every resource.')
param tags object = {
  workload: 'mediaretention'
}

var token = uniqueString(resourceGroup().id, baseName)
var storageAccountName = take('st${baseName}${token}', 24)
// The Functions host's own storage (AzureWebJobsStorage: host keys, timer and singleton leases, blob receipts; and the
// deployment package): a separate account, so the host's broad roles there grant nothing on the media.
var hostStorageAccountName = take('sth${baseName}${token}', 24)
var functionAppName = '${baseName}-func-${token}'
var planName = '${baseName}-plan-${token}'
var deploymentContainerName = 'app-package'
var auditAnchorContainerName = 'audit-anchors'
var keyVaultName = take('kv-${baseName}-${token}', 24)

// The web console's origin: its "verify in this browser" reads evidence blobs with fetch() through read links,
// which the blob service allows cross-origin only for origins in a CORS rule (GET/HEAD; the SAS still decides
// what can be read). Built from the app's name, not its resource, because the blob service must not depend on
// the app (the app depends on the containers).
var consoleOriginList = union([
  'https://${functionAppName}.azurewebsites.net'
], consoleOrigins)

// The web console's files (functions/MediaRetention.Api/WebConsole/wwwroot): public, so App Service
// Authentication lets them load before sign-in; the page then offers the Entra ID sign-in. Kept equal to the
// embedded files by a unit test (ConsoleAssetsTests).
var consolePaths = [
  '/'
  '/index.html'
  '/console.css'
  '/favicon.svg'
  '/js/admin.js'
  '/js/api.js'
  '/js/app.js'
  '/js/dom.js'
  '/js/evidence.js'
  '/js/holds.js'
  '/js/media.js'
  '/js/privacy.js'
  '/js/roles.js'
  '/js/verify.js'
]
var deadLetterContainerName = 'eventgrid-deadletter'
var mediaContainerNames = [
  cctvContainerName
  callsContainerName
]
var tableNames = [
  'media'
  'holds'
  'audit'
  'subjectrequests'
]
// The blob trigger parks blobs it could not process in this queue of the media account (MediaStorage__queueServiceUri).
var poisonQueueName = 'webjobs-blobtrigger-poison'


// The trigger functions in functions/MediaRetention.Functions/IngestFunctions.cs, one per container.
var ingestSubscriptions = [
  {
    name: 'ingest-cctv'
    functionName: 'IngestCctvBlob'
    container: cctvContainerName
  }
  {
    name: 'ingest-calls'
    functionName: 'IngestCallBlob'
    container: callsContainerName
  }
]

var roles = {
  storageBlobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  storageBlobDelegator: 'db58b8e5-c6ad-4a2a-8342-4190687cbf4a'
  storageQueueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  storageTableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
  storageBlobDataContributor: 'ba92f5b4-2d11-453d-a403-e96b0029c9fe'
  keyVaultSecretsUser: '4633458b-17de-408a-b874-0445c86b69e6'
  keyVaultCertificateUser: 'db79e9a7-68ee-4b58-9aeb-b90e7c24fcba'
}

// The app's data roles on the media account, each at the narrowest scope that works (README "Role assignments"):
// Blob Data Owner on the two media containers only (read, tag — index tags need Owner — and delete by retention);
// Blob Data Owner on the state container (operations, sweep lease, checkpoint; the delete-condition probe tags a blob
// there); Blob Data Contributor on the audit-anchors container (append);
// Table Data Contributor on the media, holds, audit and subject-requests tables; Queue Data Contributor on the blob trigger's poison
// queue and the operations queue. Blob Delegator stays at the account: a user-delegation key is an account-level operation (evidence links).
// On the host's own account: Blob Data Owner, Queue and Table Data Contributor (the Functions host's needs).
var hostStorageRoles = [
  roles.storageBlobDataOwner
  roles.storageQueueDataContributor
  roles.storageTableDataContributor
]

resource storage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: storageSku
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource hostStorage 'Microsoft.Storage/storageAccounts@2024-01-01' = {
  name: hostStorageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowCrossTenantReplication: false
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
  }
}

resource hostBlobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: hostStorage
  name: 'default'
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: hostBlobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2024-01-01' = {
  parent: storage
  name: 'default'
  properties: {
    cors: {
      corsRules: [
        {
          allowedOrigins: consoleOriginList
          allowedMethods: [
            'GET'
            'HEAD'
          ]
          allowedHeaders: [
            '*'
          ]
          exposedHeaders: [
            '*'
          ]
          maxAgeInSeconds: 3600
        }
      ]
    }
    // Version-level immutability (the legal-hold flag) needs versioning; nothing else in the app does.
    isVersioningEnabled: useImmutabilityLegalHold
  }
}

resource containers 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = [
  for name in [
    cctvContainerName
    callsContainerName
    stateContainerName
    deadLetterContainerName
  ]: {
    parent: blobService
    name: name
    properties: union(
      {
        publicAccess: 'None'
      },
      useImmutabilityLegalHold && contains(mediaContainerNames, name)
        ? {
            immutableStorageWithVersioning: {
              enabled: true
            }
          }
        : {}
    )
  }
]

// With versioning on, deleting a blob keeps its last content as a non-current version: the sweep's "deleted" would
// not be deleted. This rule removes non-current versions of media a day after they became non-current (lifecycle
// management runs about once a day, so allow up to two days). Versions under a legal hold cannot be deleted and stay.
resource mediaVersionLifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2024-01-01' = if (useImmutabilityLegalHold) {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'delete-noncurrent-media-versions'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [for container in mediaContainerNames: '${container}/']
            }
            actions: {
              version: {
                delete: {
                  daysAfterCreationGreaterThan: 1
                }
              }
            }
          }
        }
      ]
    }
  }
  dependsOn: [
    blobService
  ]
}

// Audit anchors: append blobs the app can only append to. A time-based retention policy with protected append
// writes keeps every anchor blob from being deleted or overwritten (by the app or anyone with data access) for
// auditAnchorImmutabilityDays; lock the policy after the first deployment (infra/README.md) so that not even an
// account owner can shorten or remove it.
resource auditAnchorContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2024-01-01' = {
  parent: blobService
  name: auditAnchorContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource auditAnchorImmutability 'Microsoft.Storage/storageAccounts/blobServices/containers/immutabilityPolicies@2024-01-01' = {
  parent: auditAnchorContainer
  name: 'default'
  properties: {
    immutabilityPeriodSinceCreationInDays: auditAnchorImmutabilityDays
    allowProtectedAppendWrites: true
  }
}

// Operations (POST /api/retention/sweep, POST /api/holds/{id}/evidence/verify) answer 202 and run from this queue's
// trigger, so no request holds work that grows with the data (the front end ends requests after 230 s).
resource operationsQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = {
  parent: queueService
  name: operationsQueueName
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2024-01-01' = [
  for name in tableNames: {
    parent: tableService
    name: name
  }
]

resource queueService 'Microsoft.Storage/storageAccounts/queueServices@2024-01-01' = {
  parent: storage
  name: 'default'
}

resource poisonQueue 'Microsoft.Storage/storageAccounts/queueServices/queues@2024-01-01' = {
  parent: queueService
  name: poisonQueueName
}

// The evidence signing certificate (EC P-256, exportable) lives here. RBAC mode: the app reads it with its managed
// identity (roles below); purge protection so a deleted signing key can be recovered, never silently replaced.
resource keyVault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: {
      family: 'A'
      name: 'standard'
    }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    enablePurgeProtection: true
    publicNetworkAccess: 'Enabled'
  }
}

resource logAnalytics 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${baseName}-log-${token}'
  location: location
  tags: tags
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${baseName}-appi-${token}'
  location: location
  tags: tags
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logAnalytics.id
  }
}

// Operational alerts on the app's own OpenTelemetry metrics (functions/MediaRetention.Core/Telemetry), which the Azure
// Monitor exporter writes to Application Insights' customMetrics. Sweeps run every 15 minutes (retentionSchedule), so
// each window holds at least one sweep's figures.
resource alertActionGroup 'Microsoft.Insights/actionGroups@2023-01-01' = if (!empty(alertEmail)) {
  name: '${baseName}-ag-${token}'
  location: 'global'
  tags: tags
  properties: {
    groupShortName: 'mediaret'
    enabled: true
    emailReceivers: [
      {
        name: 'operator'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var alertActionGroups = concat(
  empty(alertEmail) ? [] : [alertActionGroup.id],
  empty(alertActionGroupId) ? [] : [alertActionGroupId]
)

resource retentionLagAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${baseName}-alert-retention-lag-${token}'
  location: location
  tags: tags
  properties: {
    displayName: 'MediaRetention: retention lag over ${retentionLagAlertSeconds} s'
    description: 'An expired medium that no hold covers is still stored past its expiry: the retention promise is not kept. See the last retention.sweep audit entry and GET /api/retention/preview.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT30M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "mediaretention.retention.lag" | where valueMax > ${retentionLagAlertSeconds}'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: alertActionGroups
    }
  }
}

resource sweepFailedAlert 'Microsoft.Insights/scheduledQueryRules@2023-12-01' = {
  name: '${baseName}-alert-sweep-failed-${token}'
  location: location
  tags: tags
  properties: {
    displayName: 'MediaRetention: retention sweep failed'
    description: 'A retention sweep stopped on an error (storage unavailable, lease lost); nothing was deleted after the failure and the next sweep resumes. See the function logs of RetentionSweepTimer.'
    severity: 2
    enabled: true
    scopes: [
      appInsights.id
    ]
    evaluationFrequency: 'PT15M'
    windowSize: 'PT15M'
    criteria: {
      allOf: [
        {
          query: 'customMetrics | where name == "mediaretention.sweep.runs" | where tostring(customDimensions["outcome"]) == "failed" | where valueSum > 0'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: 0
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
    autoMitigate: true
    actions: {
      actionGroups: alertActionGroups
    }
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  // azd deploys the 'api' service of azure.yaml to the resource carrying this tag.
  tags: union(tags, { 'azd-service-name': 'api' })
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      appSettings: [
        // Host storage, identity-based, in its own account.
        {
          name: 'AzureWebJobsStorage__accountName'
          value: hostStorage.name
        }
        {
          name: 'AzureWebJobsStorage__credential'
          value: 'managedidentity'
        }
        // Media storage, identity-based: the blob trigger and the app's own clients both read these.
        {
          name: 'MediaStorage__blobServiceUri'
          value: storage.properties.primaryEndpoints.blob
        }
        {
          name: 'MediaStorage__queueServiceUri'
          value: storage.properties.primaryEndpoints.queue
        }
        {
          name: 'MediaStorage__tableServiceUri'
          value: storage.properties.primaryEndpoints.table
        }
        {
          name: 'MediaStorage__credential'
          value: 'managedidentity'
        }
        {
          name: 'CctvContainer'
          value: cctvContainerName
        }
        {
          name: 'CallsContainer'
          value: callsContainerName
        }
        {
          name: 'StateContainer'
          value: stateContainerName
        }
        {
          name: 'MediaTable'
          value: 'media'
        }
        {
          name: 'HoldsTable'
          value: 'holds'
        }
        {
          name: 'AuditTable'
          value: 'audit'
        }
        {
          name: 'OperationsQueue'
          value: operationsQueueName
        }
        {
          name: 'SubjectRequestsTable'
          value: 'subjectrequests'
        }
        {
          name: 'RetentionSchedule'
          value: retentionSchedule
        }
        {
          name: 'Holds__UseImmutabilityLegalHold'
          value: string(useImmutabilityLegalHold)
        }
        {
          name: 'AuditAnchorSchedule'
          value: auditAnchorSchedule
        }
        {
          name: 'Audit__AnchorContainer'
          value: auditAnchorContainerName
        }
        // Evidence manifests are signed with the newest version of this certificate (read with the identity).
        {
          name: 'Evidence__Signing__KeyVaultUri'
          value: keyVault.properties.vaultUri
        }
        {
          name: 'Evidence__Signing__CertificateName'
          value: evidenceSigningCertificateName
        }
        // Phone numbers: parsed with this default region, hashed with the key ring in this Key Vault secret.
        {
          name: 'Phone__DefaultRegion'
          value: phoneDefaultRegion
        }
        {
          name: 'PhoneHash__KeyVaultUri'
          value: keyVault.properties.vaultUri
        }
        {
          name: 'PhoneHash__SecretName'
          value: phoneHashSecretName
        }
        {
          name: 'APPLICATIONINSIGHTS_CONNECTION_STRING'
          value: appInsights.properties.ConnectionString
        }
      ]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${hostStorage.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'dotnet-isolated'
        version: functionRuntimeVersion
      }
    }
  }
  dependsOn: [
    containers
    deploymentContainer
    auditAnchorImmutability
    operationsQueue
  ]
}

// Blob Data Owner on each media container only: read, tag (index tags need Owner), delete.
resource mediaContainerRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in mediaContainerNames: {
    name: guid(containers[i].id, functionApp.id, roles.storageBlobDataOwner)
    scope: containers[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
      principalId: functionApp.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Blob Data Owner on the state container (operations, sweep lease, checkpoint) — containers[2] is stateContainerName
// above. Owner, not Contributor: the delete-condition probe sets index tags on a throwaway blob here, and tags need Owner.
resource stateContainerRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(containers[2].id, functionApp.id, roles.storageBlobDataOwner)
  scope: containers[2]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataOwner)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Blob Data Contributor on the audit anchors (create and append; the immutability policy forbids the rest).
resource auditAnchorRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(auditAnchorContainer.id, functionApp.id, roles.storageBlobDataContributor)
  scope: auditAnchorContainer
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Table Data Contributor on the media, holds and audit tables only.
resource tableRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for (name, i) in tableNames: {
    name: guid(tables[i].id, functionApp.id, roles.storageTableDataContributor)
    scope: tables[i]
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageTableDataContributor)
      principalId: functionApp.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Queue Data Contributor on the operations queue: the app sends operations; its queue trigger receives and deletes them.
resource operationsQueueRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(operationsQueue.id, functionApp.id, roles.storageQueueDataContributor)
  scope: operationsQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Queue Data Contributor on the blob trigger's poison queue only.
resource poisonQueueRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(poisonQueue.id, functionApp.id, roles.storageQueueDataContributor)
  scope: poisonQueue
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageQueueDataContributor)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// Blob Delegator: Get User Delegation Key is an operation on the account, so this role is assigned there; it lets the
// app sign SAS links, and a user-delegation SAS reads only what the app's own (container-scoped) roles allow.
resource delegatorRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, functionApp.id, roles.storageBlobDelegator)
  scope: storage
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDelegator)
    principalId: functionApp.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The host's own account: everything the Functions host does there (keys, leases, receipts, deployment package).
resource hostStorageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in hostStorageRoles: {
    name: guid(hostStorage.id, functionApp.id, roleId)
    scope: hostStorage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: functionApp.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// Key Vault Certificate User: every version's public certificate (the JWKS). Key Vault Secrets User: the newest
// version's private key, which Key Vault serves as the certificate's secret (the app signs with it in memory), and the
// phone-hash key ring secret (phoneHashSecretName).
resource keyVaultRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for roleId in [
    roles.keyVaultCertificateUser
    roles.keyVaultSecretsUser
  ]: {
    name: guid(keyVault.id, functionApp.id, roleId)
    scope: keyVault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleId)
      principalId: functionApp.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

// App Service Authentication (Entra ID). The app roles security/police/admin live on the app registration;
// see infra/README.md. The blob extension's webhook must stay reachable by Event Grid (it has its own key).
resource authSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: true
      unauthenticatedClientAction: 'Return401'
      // The blob extension's webhook has its own key; the evidence signing keys are public (anonymous by design);
      // the web console's files hold no data and must load before sign-in.
      excludedPaths: concat([
        '/runtime/webhooks/blobs'
        '/api/evidence/signing-keys'
      ], consolePaths)
    }
    httpSettings: {
      requireHttps: true
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: authClientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            'api://${authClientId}'
            authClientId
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

resource systemTopic 'Microsoft.EventGrid/systemTopics@2022-06-15' = {
  name: '${baseName}-evgt-${token}'
  location: location
  tags: tags
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    source: storage.id
    topicType: 'Microsoft.Storage.StorageAccounts'
  }
}

// Undeliverable events go to a container, so a lost notification can be replayed (the handler is idempotent). The
// topic's identity may write there and nowhere else: containers[3] is deadLetterContainerName above.
resource deadLetterRoleAssignment 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(containers[3].id, systemTopic.id, roles.storageBlobDataContributor)
  scope: containers[3]
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roles.storageBlobDataContributor)
    principalId: systemTopic.identity.principalId
    principalType: 'ServicePrincipal'
  }
}

// The blobs_extension system key of the Functions host. It appears only once the deployed code's host has
// started with a blob trigger: hence the two phases (infra/README.md). Bicep has no types for
// Microsoft.Web/sites/host, so the keys are read with the listKeys function rather than an existing resource.
var blobsExtensionKey = deployEventSubscriptions
  ? listKeys('${functionApp.id}/host/default', '2024-04-01').systemKeys.blobs_extension
  : ''

resource ingestEventSubscriptions 'Microsoft.EventGrid/systemTopics/eventSubscriptions@2022-06-15' = [
  for sub in ingestSubscriptions: if (deployEventSubscriptions) {
    parent: systemTopic
    name: sub.name
    properties: {
      destination: {
        endpointType: 'WebHook'
        properties: {
          endpointUrl: 'https://${functionApp.properties.defaultHostName}/runtime/webhooks/blobs?functionName=Host.Functions.${sub.functionName}&code=${blobsExtensionKey}'
          maxEventsPerBatch: 1
          preferredBatchSizeInKilobytes: 64
        }
      }
      eventDeliverySchema: 'EventGridSchema'
      filter: {
        includedEventTypes: [
          'Microsoft.Storage.BlobCreated'
        ]
        subjectBeginsWith: '/blobServices/default/containers/${sub.container}/blobs/'
      }
      retryPolicy: {
        maxDeliveryAttempts: 30
        eventTimeToLiveInMinutes: 1440
      }
      deadLetterWithResourceIdentity: {
        identity: {
          type: 'SystemAssigned'
        }
        deadLetterDestination: {
          endpointType: 'StorageBlob'
          properties: {
            resourceId: storage.id
            blobContainerName: deadLetterContainerName
          }
        }
      }
    }
    dependsOn: [
      deadLetterRoleAssignment
      mediaContainerRoleAssignments
      hostStorageRoleAssignments
    ]
  }
]

output functionAppName string = functionApp.name
// The same name in the form azd exports to hooks (scripts/azd-postdeploy.sh).
output FUNCTION_APP_NAME string = functionApp.name
output functionAppHostName string = functionApp.properties.defaultHostName
output functionAppPrincipalId string = functionApp.identity.principalId
output storageAccountName string = storage.name
output hostStorageAccountName string = hostStorage.name
output blobServiceUri string = storage.properties.primaryEndpoints.blob
output tableServiceUri string = storage.properties.primaryEndpoints.table
output eventGridSystemTopicName string = systemTopic.name
output keyVaultName string = keyVault.name
output keyVaultUri string = keyVault.properties.vaultUri
