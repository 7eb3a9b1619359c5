"""The reason-code catalogue behind `lambdawait explain`: what each code means and what to do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from lambdawait.core import model
from lambdawait.core.errors import UsageError

if TYPE_CHECKING:
    from lambdawait.core.models import FunctionStatus

# Which field can carry a code: "state" = StateReasonCode, "update" = LastUpdateStatusReasonCode
# (both as listed in botocore's Lambda model), "invoke" = the errorType of a failed invocation.
STATE = "state"
UPDATE = "update"
INVOKE = "invoke"

_S = frozenset({STATE})
_SU = frozenset({STATE, UPDATE})
_INV = frozenset({INVOKE})

# AWS publishes no per-code remediation table, so these texts are ours. Where AWS has no prose for a
# code (most Lambda Managed Instances and durable-function codes), the entry says what to check
# instead of guessing at behaviour.
_RECREATE = (
    "a function whose creation Failed cannot be repaired: delete it and create it again "
    "(a Failed update keeps the previous code and configuration, so just update again)"
)
_REDEPLOY = "after the fix, update the function again: Lambda retries provisioning on an update"
_VPC_CHECK = (
    "check the subnets and security groups: aws lambda get-function-configuration "
    "--function-name NAME --query VpcConfig"
)
_LOGS = (
    "read the init error in CloudWatch Logs (log group /aws/lambda/NAME); the StateReason or "
    "LastUpdateStatusReason text quotes the first line"
)
_MANAGED = "(Lambda Managed Instances capacity providers; AWS has no per-code prose yet)"
_FIXED_AT_CREATION = (
    "a capacity provider's instance requirements and VPC settings are fixed at creation "
    "(update-capacity-provider changes scaling, tags and telemetry only)"
)


@dataclass(frozen=True)
class Reason:
    """One reason code: where it appears, what it means, and steps a person can act on."""

    code: str
    applies_to: frozenset[str]
    meaning: str
    remediation: tuple[str, ...]


_CATALOGUE: tuple[Reason, ...] = (
    # --- lifecycle codes: not failures -------------------------------------------------------
    Reason(
        "Idle",
        _S,
        "The function is Inactive: it was not invoked for a long time (weeks) and Lambda "
        "reclaimed its resources, such as VPC network interfaces.",
        (
            "invoke it or update its code/configuration: either moves it to Pending while Lambda "
            "re-creates the resources, and a successful update makes it Active",
            "the first invocation fails (an inactive VPC function answers "
            "ResourceNotReadyException); wait until State is Active: "
            "aws lambda wait function-active-v2 --function-name NAME",
            "if it drops back to Inactive, re-creating the resources failed: read the new "
            "StateReasonCode (often a deleted subnet, security group, role or KMS key)",
        ),
    ),
    Reason(
        "Creating",
        _S,
        "The function is Pending: Lambda is creating its resources (VPC network interfaces, file "
        "system mounts, container image preparation). It cannot be invoked or modified yet.",
        (
            "wait until State is Active: aws lambda wait function-active-v2 --function-name NAME",
            "VPC-attached functions can take a minute or more; if it stays Pending much longer, "
            "look in CloudTrail for failed ec2:CreateNetworkInterface calls made by Lambda",
        ),
    ),
    Reason(
        "Restoring",
        _S,
        "Lambda is restoring the function's resources, for example while reactivating a function "
        "that was Inactive. AWS documents no separate behaviour for this code; treat it like "
        "Pending.",
        (
            "wait until State is Active: aws lambda wait function-active-v2 --function-name NAME",
            "if the state becomes Failed or Inactive instead, explain the new StateReasonCode",
        ),
    ),
    Reason(
        "DrainingDurableExecutions",
        _S,
        "A durable function version is waiting for its in-flight durable executions to finish "
        "before Lambda completes the state change (seen with the newer Deactivating state). AWS "
        "has no prose for this code yet.",
        (
            "wait: the state changes when the running executions end",
            "list what is still running: aws lambda list-durable-executions-by-function --function-name NAME",
            "stop executions you no longer need: aws lambda stop-durable-execution "
            "--durable-execution-arn ARN (completed steps are not undone)",
        ),
    ),
    # --- VPC networking ----------------------------------------------------------------------
    Reason(
        "EniLimitExceeded",
        _SU,
        "Lambda could not create a network interface (ENI) in the function's VPC because the "
        "account's network-interface quota for the Region is used up.",
        (
            "free ENIs: list unattached ones with aws ec2 describe-network-interfaces --filters "
            "Name=status,Values=available and delete those nothing uses",
            "reuse subnet + security-group combinations across functions: Lambda shares one ENI "
            "per combination, so fewer distinct combinations need fewer ENIs",
            "request a higher 'Network interfaces per Region' quota in Service Quotas (Amazon VPC)",
            _REDEPLOY,
        ),
    ),
    Reason(
        "SubnetOutOfIPAddresses",
        _SU,
        "One or more of the function's subnets has no free IP address left for Lambda's network interface.",
        (
            "see free addresses per subnet: aws ec2 describe-subnets --subnet-ids SUBNET "
            "--query 'Subnets[].[SubnetId,AvailabilityZone,AvailableIpAddressCount]'",
            "free addresses (delete unused ENIs, instances or endpoints in the subnet) or add "
            "subnets with free space, in more Availability Zones, to the function's VpcConfig",
            "for lasting headroom use larger subnets (add a secondary CIDR block to the VPC)",
            _REDEPLOY,
        ),
    ),
    Reason(
        "InvalidSubnet",
        _SU,
        "A subnet in the function's VPC configuration does not exist, was deleted, or cannot be "
        "used with the function's other VPC settings.",
        (
            _VPC_CHECK,
            "confirm each subnet exists in this account and Region and belongs to the same VPC as "
            "the security groups: aws ec2 describe-subnets --subnet-ids SUBNET",
            "update the function's VpcConfig with valid subnet IDs",
            _RECREATE,
        ),
    ),
    Reason(
        "InvalidSecurityGroup",
        _SU,
        "A security group in the function's VPC configuration does not exist, was deleted, or "
        "belongs to a different VPC than the subnets.",
        (
            _VPC_CHECK,
            "confirm each group exists in the subnets' VPC: aws ec2 describe-security-groups --group-ids SG",
            "update the function's VpcConfig with valid security group IDs",
            _RECREATE,
        ),
    ),
    Reason(
        "InsufficientRolePermissions",
        _SU,
        "The function's execution role lacks a permission Lambda needs to set the function up, "
        "most often the EC2 permissions for VPC networking, or Lambda cannot assume the role.",
        (
            "attach the AWS managed policy AWSLambdaVPCAccessExecutionRole to the execution role "
            "(it grants ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces, "
            "ec2:DescribeSubnets, ec2:DeleteNetworkInterface, ec2:AssignPrivateIpAddresses and "
            "ec2:UnassignPrivateIpAddresses)",
            "check the role's trust policy lets lambda.amazonaws.com call sts:AssumeRole",
            "check that no permissions boundary or SCP denies those actions to the role",
            "IAM changes take a few seconds to propagate; then update the function again",
        ),
    ),
    Reason(
        "DisallowedByVpcEncryptionControl",
        _SU,
        "The VPC has VPC Encryption Controls that do not allow the function's network traffic "
        "(typically enforce mode without the Lambda exclusion). AWS has no Lambda prose for this "
        "code yet.",
        (
            "check the VPC's encryption-control mode and exclusions: aws ec2 "
            "describe-vpc-encryption-controls (EC2 console: VPC > Encryption controls)",
            "enable the Lambda exclusion (LambdaExclusion) or use monitor mode, or attach the "
            "function to a VPC without enforcement",
            _REDEPLOY,
        ),
    ),
    # --- KMS ---------------------------------------------------------------------------------
    Reason(
        "KMSKeyAccessDenied",
        _SU,
        "Lambda was denied use of the function's customer managed KMS key (KMSKeyArn, used for "
        "environment variables and other function data).",
        (
            "grant kms:Decrypt on the key to the function's execution role, in the key policy or "
            "in an IAM policy the key policy allows",
            "check the key policy and any SCP for an explicit Deny on the role",
            "see which key: aws lambda get-function-configuration --function-name NAME "
            "--query KMSKeyArn; or clear KMSKeyArn to fall back to the AWS managed key",
            _REDEPLOY,
        ),
    ),
    Reason(
        "KMSKeyNotFound",
        _SU,
        "The function's KMS key (KMSKeyArn) does not exist: deleted, in another Region, or the ARN is wrong.",
        (
            "look the key up: aws kms describe-key --key-id KEY_ARN (same Region as the function)",
            "point the function at an existing key, or clear KMSKeyArn to use the AWS managed "
            "key; a deleted key cannot be recovered, so re-enter any values encrypted with it",
            _REDEPLOY,
        ),
    ),
    Reason(
        "InvalidStateKMSKey",
        _SU,
        "The function's KMS key exists but is in a state that cannot be used for Decrypt, such as "
        "PendingDeletion, PendingImport or Unavailable.",
        (
            "check KeyState: aws kms describe-key --key-id KEY_ARN",
            "PendingDeletion: aws kms cancel-key-deletion, then aws kms enable-key; PendingImport: "
            "import the key material",
            _REDEPLOY,
        ),
    ),
    Reason(
        "DisabledKMSKey",
        _SU,
        "The function's KMS key is disabled.",
        (
            "enable it: aws kms enable-key --key-id KEY_ARN (or choose another key)",
            _REDEPLOY,
        ),
    ),
    # --- EFS ---------------------------------------------------------------------------------
    Reason(
        "EFSIOError",
        _SU,
        "An error occurred reading from or writing to the function's EFS file system.",
        (
            "check the file system's CloudWatch metrics (PercentIOLimit, BurstCreditBalance) for "
            "throttling; consider Elastic or Provisioned throughput mode",
            "check the file system is available: aws efs describe-file-systems",
            _REDEPLOY,
        ),
    ),
    Reason(
        "EFSMountConnectivityError",
        _SU,
        "The function could not open a network connection to its EFS file system (NFS, TCP port 2049).",
        (
            "allow TCP 2049 from the function's security group to the mount targets' security "
            "group (inbound on the mount target, outbound on the function)",
            "make sure the file system has a mount target in every Availability Zone the "
            "function's subnets use, and that network ACLs allow port 2049",
            _REDEPLOY,
        ),
    ),
    Reason(
        "EFSMountFailure",
        _SU,
        "The function could not mount its EFS file system because of a permission or "
        "configuration problem (access point, file system policy, IAM).",
        (
            "grant the execution role elasticfilesystem:ClientMount (and ClientWrite to write), "
            "e.g. via AmazonElasticFileSystemClientReadWriteAccess",
            "check that the access point in FileSystemConfigs exists and that the file system "
            "policy allows the execution role",
            _REDEPLOY,
        ),
    ),
    Reason(
        "EFSMountTimeout",
        _SU,
        "The function connected to its EFS file system but the mount operation timed out.",
        (
            "check the mount targets are 'available': aws efs describe-mount-targets --file-system-id FS",
            "check the file system's health and throughput metrics, then retry the update",
        ),
    ),
    # --- code, image and runtime -------------------------------------------------------------
    Reason(
        "InvalidImage",
        _SU,
        "The container image or deployment package cannot run on the function, most often "
        "because it was built for a different CPU architecture than the function's "
        "(x86_64 vs arm64), or the image is not a format Lambda accepts.",
        (
            "see the function's architecture: aws lambda get-function-configuration "
            "--function-name NAME --query Architectures",
            "rebuild for it: docker buildx build --platform linux/arm64 (or linux/amd64); Go: "
            "GOOS=linux GOARCH=arm64 (or amd64) go build -o bootstrap",
            "or change the function's architecture to match the image: aws lambda "
            "update-function-code --architectures arm64|x86_64 plus the code or image",
            "check the manifest is a single-platform Docker v2 or OCI image "
            "(docker buildx: add --provenance=false)",
        ),
    ),
    Reason(
        "ImageDeleted",
        _SU,
        "The function's container image was deleted from its Amazon ECR repository.",
        (
            "push the image again (same tag or digest), or point the function at an existing "
            "image: aws lambda update-function-code --image-uri URI",
            "exclude images that functions use from ECR lifecycle policies",
        ),
    ),
    Reason(
        "ImageAccessDenied",
        _SU,
        "Lambda cannot pull the function's container image from Amazon ECR: the repository "
        "policy or the image's KMS key does not allow it.",
        (
            "add an ECR repository policy that lets the lambda.amazonaws.com service principal "
            "call ecr:BatchGetImage and ecr:GetDownloadUrlForLayer",
            "for a repository in another account, also allow the function's account in that policy",
            "if the repository is encrypted with a customer managed KMS key, check that its key "
            "policy allows the pull",
            _REDEPLOY,
        ),
    ),
    Reason(
        "InvalidRuntime",
        _SU,
        "The function's runtime is not supported, for example deprecated past the date where "
        "creating or updating functions with it is blocked.",
        (
            "move to a supported runtime: aws lambda update-function-configuration "
            "--function-name NAME --runtime RUNTIME (see the Lambda runtimes page for dates)",
            "rebuild native dependencies and layers for the new runtime version",
        ),
    ),
    Reason(
        "InvalidZipFileException",
        _SU,
        "Lambda could not unzip the deployment package.",
        (
            "test the archive: unzip -t function.zip (it must be a zip, not a tar or a zip inside a zip)",
            "check sizes: 50 MB zipped for direct upload, 250 MB unzipped including layers",
            "if it came from S3, check the bucket, key and S3ObjectVersion point at the file you built",
        ),
    ),
    Reason(
        "InvalidConfiguration",
        _SU,
        "A setting in the function's configuration cannot be provisioned as given.",
        (
            "read StateReason / LastUpdateStatusReason: it names the setting",
            "compare with the last working configuration: aws lambda get-function-configuration "
            "--function-name NAME:VERSION",
            _REDEPLOY,
        ),
    ),
    Reason(
        "InternalError",
        _SU,
        "Lambda failed internally while provisioning the function; not caused by your settings.",
        (
            "retry the update; " + _RECREATE,
            "if it repeats, check the AWS Health Dashboard and open a support case with the request ID",
        ),
    ),
    Reason(
        "DependencyError",
        _SU,
        "A service or resource Lambda depends on to provision the function failed. AWS has no "
        "prose for this code yet.",
        (
            "read StateReason / LastUpdateStatusReason for the dependency it names",
            "check that resource (and the AWS Health Dashboard), then update the function again",
        ),
    ),
    Reason(
        "ServiceQuotaExceededException",
        _SU,
        "Provisioning the function hit a service quota.",
        (
            "read StateReason / LastUpdateStatusReason for the quota",
            "delete resources you no longer use, or request an increase in Service Quotas",
            _REDEPLOY,
        ),
    ),
    # --- init errors Lambda reports while deploying (e.g. publishing with SnapStart) -------------
    Reason(
        "FunctionError",
        _SU,
        "Your code failed while Lambda initialised it as part of the deployment (for example "
        "when publishing a version with SnapStart, which runs init to take the snapshot).",
        (
            _LOGS,
            "run the handler's init locally with the same environment variables and fix the error",
            "then publish or update again",
        ),
    ),
    Reason(
        "FunctionError.InitTimeout",
        _SU,
        "The function's initialisation did not finish within the time Lambda allows for init.",
        (
            "move slow work out of module scope or make it lazy; raise MemorySize (more memory "
            "also means more CPU)",
            "a VPC function calling AWS APIs or the internet during init hangs without a NAT "
            "gateway or VPC endpoint: check the subnets' routes",
            _LOGS,
        ),
    ),
    Reason(
        "FunctionError.RuntimeInitError",
        _SU,
        "The runtime or your initialisation code raised an error before the handler was ready.",
        (
            _LOGS,
            "common causes: a missing dependency, a missing environment variable, a failed "
            "connection opened at module scope",
        ),
    ),
    Reason(
        "FunctionError.ExtensionInitError",
        _SU,
        "A Lambda extension (usually delivered in a layer) failed to initialise.",
        (
            "find the extension in the init log lines (EXTENSION ...) in CloudWatch Logs",
            "update or remove the layer that carries it; check the layer supports the function's "
            "architecture and runtime",
        ),
    ),
    Reason(
        "FunctionError.InvalidEntryPoint",
        _SU,
        "Lambda could not start the function's entry point: the handler, the custom runtime's "
        "bootstrap, or the container's ENTRYPOINT/CMD is missing or cannot be executed.",
        (
            "check the Handler setting matches file.function (or the image's CMD / ImageConfig)",
            "custom runtime: bootstrap must be at the zip root, mode 755, built for the "
            "function's architecture (GOARCH=arm64 for arm64, amd64 for x86_64)",
            "check the binary: file bootstrap (should say ELF, x86-64 or ARM aarch64)",
        ),
    ),
    Reason(
        "FunctionError.InvalidWorkingDirectory",
        _SU,
        "The container image's working directory does not exist in the image.",
        (
            "fix WORKDIR in the Dockerfile or ImageConfig.WorkingDirectory on the function",
            "then update the function code or configuration again",
        ),
    ),
    Reason(
        "FunctionError.PermissionDenied",
        _SU,
        "The runtime was denied access to a file it needs, usually because of file permissions "
        "in the package or image (Lambda does not run your code as root).",
        (
            "before zipping: chmod 644 on files, 755 on directories and executables "
            "(bootstrap); files must be world-readable",
            "in a container image, make the code readable and executable by any user",
        ),
    ),
    Reason(
        "FunctionError.TooManyExtensions",
        _SU,
        "The function has more extensions than Lambda allows (10).",
        (
            "remove layers that add extensions you do not need; one layer can carry several",
            "then update the function again",
        ),
    ),
    Reason(
        "FunctionError.InitResourceExhausted",
        _SU,
        "Initialisation ran out of a resource, such as memory or ephemeral storage.",
        (
            "raise MemorySize and, if init writes to /tmp, EphemeralStorage",
            "load less at init time",
            _LOGS,
        ),
    ),
    # --- Lambda Managed Instances capacity -----------------------------------------------------
    Reason(
        "VcpuLimitExceeded",
        _SU,
        "Lambda could not launch instances for the function's capacity provider because a vCPU "
        "limit was reached " + _MANAGED + ".",
        (
            "check the account's EC2 On-Demand vCPU quotas in Service Quotas (Amazon EC2) and "
            "request an increase",
            "check the capacity provider's MaxVCpuCount: aws lambda get-capacity-provider "
            "--capacity-provider-name PROVIDER",
        ),
    ),
    Reason(
        "CapacityProviderScalingLimitExceeded",
        _SU,
        "The function's capacity provider has reached its scaling limit " + _MANAGED + ".",
        (
            "raise MaxVCpuCount in the capacity provider's scaling config: aws lambda "
            "update-capacity-provider",
            "or move some functions to another capacity provider",
        ),
    ),
    Reason(
        "InsufficientCapacity",
        _SU,
        "EC2 had no capacity for the instance types the capacity provider allows " + _MANAGED + ".",
        (
            "retry later: EC2 capacity changes over time",
            _FIXED_AT_CREATION + ": create one that allows more instance types (AllowedInstanceTypes / "
            "ExcludedInstanceTypes) and subnets in more Availability Zones, and use it",
        ),
    ),
    Reason(
        "EC2RequestLimitExceeded",
        _SU,
        "EC2 throttled the API calls Lambda made to launch instances for the capacity provider "
        + _MANAGED
        + ".",
        (
            "retry the update later",
            "look for other heavy EC2 API callers in the account (CloudTrail) and slow them down",
        ),
    ),
    Reason(
        "IncompatibleAcceleratorInstanceTypes",
        _SU,
        "The function's accelerator configuration cannot be met by the instance types its "
        "capacity provider allows " + _MANAGED + ".",
        (
            "change the function's accelerator settings (AcceleratorConfig) to fit the allowed "
            "instance types",
            _FIXED_AT_CREATION
            + ": or create one whose AllowedInstanceTypes have the accelerator, and use it",
        ),
    ),
    # --- invocation errors after a "successful" deployment -------------------------------------
    Reason(
        "Runtime.InvalidEntrypoint",
        _INV,
        "The runtime could not start the entry point. With 'exec format error' the bootstrap "
        "binary or image was built for a different CPU than the function's architecture; "
        "otherwise bootstrap is missing or not executable, or ENTRYPOINT is wrong.",
        (
            "rebuild for the function's architecture: GOOS=linux GOARCH=arm64 (arm64) or "
            "GOARCH=amd64 (x86_64); images: docker buildx build --platform linux/arm64|linux/amd64",
            "or change the function's architecture: aws lambda update-function-code "
            "--architectures arm64|x86_64 with the code",
            "bootstrap must be at the zip root with mode 755; check it with: file bootstrap",
        ),
    ),
    Reason(
        "Runtime.ExitError",
        _INV,
        "The runtime process exited before or while handling the event (a crash, an explicit "
        "exit, or the process killed for exceeding memory).",
        (
            "read the log line 'Runtime exited with error: ...': 'signal: killed' usually means "
            "memory, so raise MemorySize",
            "native libraries must match the function's architecture and Amazon Linux version",
        ),
    ),
    Reason(
        "Runtime.ImportModuleError",
        _INV,
        "The runtime could not import the handler's module or one of its dependencies.",
        (
            "the module named in Handler (file.function) must be at the zip root, not in a subfolder",
            "package dependencies for the function's runtime and architecture, e.g. pip install "
            "-t . --platform manylinux2014_aarch64 --only-binary=:all: (x86_64: "
            "manylinux2014_x86_64)",
            "layer content must sit under the runtime's path (python/, nodejs/node_modules/)",
        ),
    ),
    Reason(
        "Runtime.HandlerNotFound",
        _INV,
        "The module loaded but the handler function named in the Handler setting is not in it.",
        (
            "check the Handler setting (module.function) against the code, spelling and case",
            "Node.js: export the function (exports.handler or export const handler in .mjs)",
        ),
    ),
    Reason(
        "Runtime.UserCodeSyntaxError",
        _INV,
        "The function's code has a syntax error, or uses syntax newer than the configured runtime version.",
        (
            "the log names the file and line; check locally: python -m py_compile FILE or node --check FILE",
            "make the function's Runtime match the language version the code is written for",
        ),
    ),
    Reason(
        "Runtime.OutOfMemory",
        _INV,
        "The invocation used more memory than the function's MemorySize.",
        (
            "raise MemorySize (console: Configuration > General configuration > Memory; CLI: "
            "aws lambda update-function-configuration --memory-size MB)",
            "compare 'Max Memory Used' in the REPORT log lines with the setting; reduce what "
            "the code keeps in memory",
        ),
    ),
    Reason(
        "Sandbox.Timedout",
        _INV,
        "The invocation, or the init phase before it, ran longer than allowed (the function's "
        "Timeout setting; init has its own limit).",
        (
            "raise Timeout (up to 900 s): aws lambda update-function-configuration --timeout S",
            "a VPC function calling AWS APIs or the internet without a NAT gateway or VPC "
            "endpoint hangs until timeout: check the subnets' routes",
            "set client timeouts on downstream calls shorter than the function's Timeout",
        ),
    ),
    Reason(
        "SnapStartException",
        _INV,
        "A SnapStart function's afterRestore() runtime hook raised an error.",
        ("read the hook's error in CloudWatch Logs and fix it; then publish a new version",),
    ),
    Reason(
        "SnapStartNotReadyException",
        _INV,
        "The SnapStart version is still being initialised (or was Inactive); it can be invoked "
        "once its state is Active.",
        (
            "wait until the version is Active: aws lambda wait published-version-active "
            "--function-name NAME --qualifier VERSION; then invoke again",
        ),
    ),
    Reason(
        "SnapStartTimeoutException",
        _INV,
        "Lambda could not restore the SnapStart snapshot in time, for example because an "
        "after-restore hook ran too long (the Restore phase allows 10 seconds).",
        (
            "keep afterRestore hooks under 10 seconds; check CloudWatch Logs for the restore phase",
            "network or credential problems in the hooks can also cause this",
        ),
    ),
    Reason(
        "SnapStartRegenerationFailureException",
        _INV,
        "Lambda could not regenerate the SnapStart snapshot after a runtime or dependency change.",
        (
            "wait for Lambda to retry, or update the function's configuration and publish a new "
            "version to take a fresh snapshot",
            _LOGS,
        ),
    ),
)

_BY_KEY: dict[str, Reason] = {r.code.lower(): r for r in _CATALOGUE}


def lookup(code: str) -> Reason:
    """The catalogue entry for CODE (case-insensitive); UsageError with suggestions otherwise."""
    key = code.strip().lower()
    found = _BY_KEY.get(key)
    if found is not None:
        return found
    # Match on lower-case keys so a typo in case does not hurt the score.
    import difflib

    close = difflib.get_close_matches(key, list(_BY_KEY), n=3, cutoff=0.6)
    suggestions = [_BY_KEY[k].code for k in close]
    if suggestions:
        hint = f"did you mean: {', '.join(suggestions)}? run `lambdawait explain --list`"
    else:
        hint = "run `lambdawait explain --list` to see every known code"
    raise UsageError(
        f"unknown reason code {code.strip()!r}",
        hint=hint,
        details={"code": code, "suggestions": suggestions},
    )


def remediation_for(code: str | None) -> str | None:
    """The remediation steps for CODE joined on one line, or None when there is no entry."""
    if not code:
        return None
    found = _BY_KEY.get(code.strip().lower())
    return "; ".join(found.remediation) if found else None


# Which way out applies depends on what failed. Lambda never updates a function whose creation
# Failed, so steps that say "update again" are rephrased or dropped for it, and its last step is
# to delete and re-create; a failed update (or version) is fixed and updated again, so the
# catalogue's "delete and re-create" note (there for `explain`, which knows no context) goes.
_FAILED_CREATION: dict[str, str | None] = {
    _REDEPLOY: None,
    _RECREATE: None,
    "retry the update; " + _RECREATE: None,
    "update the function's VpcConfig with valid subnet IDs": "re-create it with valid subnet IDs",
    "update the function's VpcConfig with valid security group IDs": (
        "re-create it with valid security group IDs"
    ),
    "IAM changes take a few seconds to propagate; then update the function again": (
        "IAM changes take a few seconds to propagate before the function is re-created"
    ),
    "check that resource (and the AWS Health Dashboard), then update the function again": (
        "check that resource (and the AWS Health Dashboard)"
    ),
    "check the file system's health and throughput metrics, then retry the update": (
        "check the file system's health and throughput metrics"
    ),
    "then update the function again": None,
    "then publish or update again": None,
    "then update the function code or configuration again": None,
    "retry the update later": None,
}
_FAILED_UPDATE: dict[str, str | None] = {
    _RECREATE: None,
    "retry the update; " + _RECREATE: "retry the update",
}
_DELETE_AND_RECREATE = (
    "then delete NAME and deploy again to re-create it (Lambda cannot update a function whose "
    "creation failed): aws lambda delete-function --function-name NAME"
)


def failure_steps(status: FunctionStatus) -> tuple[str, ...]:
    """The steps for what STATUS shows, chosen by context, with the function's name filled in.

    A Failed $LATEST is a failed creation; anything else (a failed update, a failed version, an
    Inactive function) is fixed where it is. Empty when the catalogue has no entry for the code.
    """
    code = status.reason_code or ("Idle" if status.state == "Inactive" else None)
    found = _BY_KEY.get(code.strip().lower()) if code else None
    if found is None:
        return ()
    created_failed = status.state == "Failed" and not status.qualifier
    rewrite = _FAILED_CREATION if created_failed else _FAILED_UPDATE
    steps = [rewrite.get(step, step) for step in found.remediation]
    if created_failed:
        steps.append(_DELETE_AND_RECREATE)
    # NAME is the catalogue's placeholder for the function (other resources have their own).
    filled = (re.sub(r"\bNAME\b", lambda _: status.function, step) for step in steps if step)
    return tuple(dict.fromkeys(filled))


def failure_remediation(status: FunctionStatus | None) -> str | None:
    """failure_steps on one line (the `remediation` field), or None when there are none."""
    steps = failure_steps(status) if status is not None else ()
    return "; ".join(steps) or None


def all_reasons() -> list[Reason]:
    """Every catalogue entry, sorted by code."""
    return sorted(_CATALOGUE, key=lambda r: r.code.lower())


def botocore_codes() -> dict[str, frozenset[str]]:
    """The reason-code enums of the installed botocore Lambda model: {"state": …, "update": …}."""
    state, update = model.reason_codes()
    return {STATE: state, UPDATE: update}
