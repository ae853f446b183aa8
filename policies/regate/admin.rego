# METADATA
# title: Admin API
# description: |
#   Who may use the gateway's admin API: for every call the gateway asks whether `admin` contains the
#   operation with input {identity, operation}. Operations: policy.read, metrics.read, audit.read,
#   audit.export, approvals.read, approvals.vote. Settings are in data.yaml (admin_api).
package regate

import data.regate.lib.identity

# Admins: every operation. Agents never count (has_any_role leaves them out).
admin contains op if {
	identity.has_any_role(data.regate.admin_api.roles)
	some op in {"policy.read", "metrics.read", "audit.read", "audit.export", "approvals.read", "approvals.vote"}
}

# Approvers see the requests and vote on them; nothing else.
admin contains op if {
	not identity.is_agent
	some group in input.identity.groups
	group in data.regate.admin_api.approver_groups
	some op in {"approvals.read", "approvals.vote"}
}
