package regate.admin_test

import data.regate

alice_admin := {"subject": "alice", "groups": ["admins"], "type": "user"}

bob_lead := {"subject": "bob", "groups": ["dba-leads"], "type": "user"}

carol_analyst := {"subject": "carol", "groups": ["analyst"], "type": "user"}

agent_admin := {"subject": "bot", "groups": ["admins"], "type": "agent"}

test_admins_may_do_every_admin_operation if {
	every op in {"policy.read", "metrics.read", "audit.read", "audit.export", "approvals.read", "approvals.vote"} {
		op in regate.admin with input as {"identity": alice_admin, "operation": op}
	}
}

test_approvers_may_list_and_vote_only if {
	"approvals.vote" in regate.admin with input as {"identity": bob_lead, "operation": "approvals.vote"}
	"approvals.read" in regate.admin with input as {"identity": bob_lead, "operation": "approvals.read"}
	not "audit.read" in regate.admin with input as {"identity": bob_lead, "operation": "audit.read"}
	not "policy.read" in regate.admin with input as {"identity": bob_lead, "operation": "policy.read"}
}

test_other_users_get_nothing if {
	count(regate.admin) == 0 with input as {"identity": carol_analyst, "operation": "audit.read"}
}

test_agents_get_nothing_even_in_admin_groups if {
	count(regate.admin) == 0 with input as {"identity": agent_admin, "operation": "audit.read"}
}

# Every group an approval rule names can reach the requests it must vote on.
test_every_approver_group_may_vote if {
	count(approver_groups) > 0
	every group in approver_groups {
		group in data.regate.admin_api.approver_groups
	}
}

approver_groups contains trim_prefix(entry, "group:") if {
	some protocol in [data.regate.http, data.regate.postgres, data.regate.ssh]
	walk(protocol, [path, value])
	count(path) > 0
	path[count(path) - 1] == "approvers"
	some entry in value
	startswith(entry, "group:")
}
