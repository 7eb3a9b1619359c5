"""aws: clients and the retry policy, the waiter, and the engines that call Lambda, CloudWatch, ECR
and CodeDeploy. Imports core only; never output, app or cli."""
