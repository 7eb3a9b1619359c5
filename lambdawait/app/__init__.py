"""app: the use cases behind each command (wait, status, deploy, publish, shift, rollback, plan,
apply, demo, the CodeDeploy hand-off) and the session that composes clients, waiter and output."""
