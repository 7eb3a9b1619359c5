"""Each recording's call sequence, as data/README.md's origin (the recordings README) gives it."""

from __future__ import annotations

import json
from collections.abc import Callable

from tests.conformance.recorder import ZIP_ECHO, ZIP_ECHO_INDEX, ZIP_PYVERSION, Recorder, zip_version

Replay = Callable[[Recorder], None]
REPLAYS: dict[str, Replay] = {}


def replay(recording: str) -> Callable[[Replay], Replay]:
    def register(fn: Replay) -> Replay:
        REPLAYS[recording] = fn
        return fn

    return register


def _rev(r: Recorder, name: str) -> str:
    revision: str = r.client.get_function(FunctionName=name)["Configuration"]["RevisionId"]
    return revision


@replay("TestLambdaRevisions::test_function_revisions_basic")
def function_revisions_basic(r: Recorder) -> None:
    fn, c = r.name("fn"), r.client
    r.create(
        "create_function_response_rev1",
        fn,
        helper=True,
        Runtime="python3.12",
        Handler="index.handler",
        Code={"ZipFile": ZIP_ECHO_INDEX},
    )
    rev2 = r.record("get_function_response_rev2", lambda: c.get_function(FunctionName=fn))
    rev2 = rev2["Configuration"]["RevisionId"]
    r.record(
        "update_function_revision_exception",
        lambda: c.update_function_code(FunctionName=fn, ZipFile=ZIP_ECHO_INDEX, RevisionId="wrong"),
    )
    r.record(
        "update_function_code_response_rev3",
        lambda: c.update_function_code(FunctionName=fn, ZipFile=ZIP_ECHO_INDEX, RevisionId=rev2),
    )
    r.wait_updated(fn)
    rev4 = r.record("get_function_response_rev4", lambda: c.get_function(FunctionName=fn))
    rev4 = rev4["Configuration"]["RevisionId"]
    r.record(
        "update_function_configuration_revision_exception",
        lambda: c.update_function_configuration(FunctionName=fn, Runtime="python3.8", RevisionId="wrong"),
    )
    r.record(
        "update_function_configuration_response_rev5",
        lambda: c.update_function_configuration(FunctionName=fn, Runtime="python3.8", RevisionId=rev4),
    )
    r.wait_updated(fn)
    r.record("get_function_response_rev6", lambda: c.get_function(FunctionName=fn))


@replay("TestLambdaFunction::test_lambda_concurrent_code_updates")
def concurrent_code_updates(r: Recorder) -> None:
    fn, c = r.name("slow-test-lambda"), r.client
    r.create(
        "create-function-response",
        fn,
        helper=False,
        Runtime="python3.12",
        Handler="handler.handler",
        Code={"ZipFile": zip_version("version0")},
    )
    c.update_function_code(FunctionName=fn, ZipFile=zip_version("version1"))
    r.record(
        "update-during-in-progress-update-exc",
        lambda: c.update_function_code(FunctionName=fn, ZipFile=zip_version("version2")),
    )
    # The last wait (function_updated_v2) precedes nothing recorded; "slow-*" would make it long.


@replay("TestLambdaFunction::test_lambda_concurrent_config_updates")
def concurrent_config_updates(r: Recorder) -> None:
    fn, c = r.name("slow-test-lambda"), r.client
    r.create("create-function-response", fn, helper=True, Runtime="python3.12", Code={"ZipFile": ZIP_ECHO})
    c.update_function_configuration(FunctionName=fn, Environment={"Variables": {"TEST": "TEST1"}})
    r.record(
        "update-during-in-progress-update-exc",
        lambda: c.update_function_configuration(
            FunctionName=fn, Environment={"Variables": {"TEST": "TEST2"}}
        ),
    )


@replay("TestLambdaAlias::test_notfound_and_invalid_routingconfigs")
def notfound_and_invalid_routingconfigs(r: Recorder) -> None:
    fn, u = r.name("alias-fn"), r.unvalidated
    r.create(
        "create_response",
        fn,
        helper=False,
        Handler="index.handler",
        Code={"ZipFile": ZIP_ECHO},
        PackageType="Zip",
        Runtime="python3.12",
        Publish=True,
        Environment={"Variables": {"testenv": "staging"}},
    )
    r.record("publish_v1", lambda: u.publish_version(FunctionName=fn))
    u.update_function_configuration(FunctionName=fn, Environment={"Variables": {"testenv": "prod"}})
    r.wait_updated(fn)
    r.record("publish_v2", lambda: u.publish_version(FunctionName=fn))

    def alias(
        key: str, version: str, weights: dict[str, float] | None, name: str = "custom", function: str = fn
    ) -> None:
        routing = {"RoutingConfig": {"AdditionalVersionWeights": weights}} if weights is not None else {}
        r.record(
            key, lambda: u.create_alias(FunctionName=function, Name=name, FunctionVersion=version, **routing)
        )

    alias("routing_config_exc_toomany", "1", {"1": 0.8, "2": 0.2})
    alias("routing_config_exc_toohigh", "1", {"2": 2})
    alias("routing_config_exc_subzero", "1", {"2": -1})
    alias("routing_config_exc_sameversion", "1", {"1": 0.5})
    alias("target_version_doesnotexist", "10", {"2": 0.5})
    alias("routing_config_exc_version_doesnotexist", "1", {"10": 0.5})
    alias("target_version_exc_version_latest", "$LATEST", {"1": 0.5})
    alias("routing_config_exc_version_latest", "1", {"$LATEST": 0.5})
    alias("create-alias-latest", "$LATEST", None, name="custom-latest")
    alias("routing_config_exc_fn_doesnotexist", "1", {"2": 0.5}, function=f"{fn}-unknown")
    alias("create_alias_empty_routingconfig", "1", {}, name="custom-empty-routingconfig")
    alias("create_alias_response", "1", {"2": 0.5})
    alias("routing_config_exc_already_exist", "1", {"2": 0.5})
    r.record("alias_does_not_exist_esc", lambda: u.get_alias(FunctionName=fn, Name="non-existent"))


def _publish_guarded(r: Recorder, guard: str, wrong: str, runtime: str) -> None:
    fn, c = r.name("fn"), r.client
    r.create(
        "create_response",
        fn,
        helper=False,
        Handler="index.handler",
        Code={"ZipFile": ZIP_ECHO},
        PackageType="Zip",
        Runtime=runtime,
    )
    got = r.record("get_fn_response", lambda: c.get_function(FunctionName=fn))
    right = got["Configuration"][guard]
    key = "publish_wrong_sha256_exc" if guard == "CodeSha256" else "publish_wrong_revisionid_exc"
    r.record(key, lambda: c.publish_version(FunctionName=fn, **{guard: wrong}))
    r.record("publish_result", lambda: c.publish_version(FunctionName=fn, **{guard: right}))


@replay("TestLambdaVersions::test_publish_with_wrong_sha256")
def publish_with_wrong_sha256(r: Recorder) -> None:
    _publish_guarded(r, "CodeSha256", "somenonexistentsha256", "python3.12")


@replay("TestLambdaVersions::test_publish_with_wrong_revisionid")
def publish_with_wrong_revisionid(r: Recorder) -> None:
    _publish_guarded(r, "RevisionId", "doesntexist", "python3.9")


@replay("TestLambdaFunction::test_function_lifecycle")
def function_lifecycle(r: Recorder) -> None:
    fn, c = r.name("fn"), r.client
    r.create(
        "create_response",
        fn,
        helper=True,
        Runtime="python3.12",
        Code={"ZipFile": ZIP_ECHO},
        MemorySize=256,
        Timeout=5,
    )
    r.wait_active(fn)
    r.record("get_function_response", lambda: c.get_function(FunctionName=fn))
    r.record(
        "update_func_conf_response",
        lambda: c.update_function_configuration(
            FunctionName=fn,
            Runtime="python3.11",
            Description="Changed-Description",
            MemorySize=512,
            Timeout=10,
            Environment={"Variables": {"ENV_A": "a"}},
        ),
    )
    r.wait_updated(fn)
    r.record("get_function_response_postupdate", lambda: c.get_function(FunctionName=fn))
    r.record("update_code_response", lambda: c.update_function_code(FunctionName=fn, ZipFile=ZIP_PYVERSION))
    r.wait_updated(fn)
    r.record("get_function_response_postcodeupdate", lambda: c.get_function(FunctionName=fn))
    r.record("delete_response", lambda: c.delete_function(FunctionName=fn))
    r.record("delete_postdelete", lambda: c.delete_function(FunctionName=fn))


@replay("TestLambdaFunction::test_redundant_updates")
def redundant_updates(r: Recorder) -> None:
    fn, c = r.name("fn"), r.client
    r.create(
        "create_response",
        fn,
        helper=True,
        Runtime="python3.12",
        Code={"ZipFile": ZIP_ECHO},
        Description="Initial description",
    )
    r.record(
        "first_update_result",
        lambda: c.update_function_configuration(FunctionName=fn, Description="1st update description"),
    )
    r.wait_updated(fn)
    r.record("get_fn_config_result", lambda: c.get_function_configuration(FunctionName=fn))
    r.record("get_fn_result", lambda: c.get_function(FunctionName=fn))
    r.record(
        "redundant_update_result",
        lambda: c.update_function_configuration(FunctionName=fn, Description="1st update description"),
    )
    r.wait_updated(fn)
    r.record("get_fn_result_after_redundant_update", lambda: c.get_function(FunctionName=fn))


@replay("TestLambdaFunction::test_update_lambda_exceptions")
def update_lambda_exceptions(r: Recorder) -> None:
    fn, c = r.name("invalid-function"), r.client
    r.create(
        None,
        fn,
        helper=False,
        Handler="index.handler",
        Code={"ZipFile": ZIP_ECHO},
        PackageType="Zip",
        Runtime="python3.12",
    )
    r.record("invalid_role_arn_exc", lambda: c.update_function_configuration(FunctionName=fn, Role="r1"))
    r.record(
        "invalid_runtime_exc",
        lambda: c.update_function_configuration(FunctionName=fn, Runtime="non-existent-runtime"),
    )
    r.record(
        "uppercase_runtime_exc", lambda: c.update_function_configuration(FunctionName=fn, Runtime="PYTHON3.9")
    )


def _alias_fn(r: Recorder) -> str:
    fn = r.name("alias-fn")
    r.create(
        "create_response",
        fn,
        helper=False,
        Handler="index.handler",
        Code={"ZipFile": ZIP_ECHO},
        PackageType="Zip",
        Runtime="python3.12",
        Environment={"Variables": {"testenv": "staging"}},
    )
    return fn


@replay("TestLambdaAlias::test_non_existent_alias_update")
def non_existent_alias_update(r: Recorder) -> None:
    fn = _alias_fn(r)
    r.record("update_alias_response", lambda: r.client.update_alias(FunctionName=fn, Name="non-existent"))


@replay("TestLambdaAlias::test_alias_naming")
def alias_naming(r: Recorder) -> None:
    fn, c = _alias_fn(r), r.client
    r.record("publish_v1", lambda: c.publish_version(FunctionName=fn))
    r.record(
        "create_alias_date",
        lambda: c.create_alias(
            FunctionName=fn, Name="2024-01-02", FunctionVersion="1", Description="custom-alias"
        ),
    )
    r.record("get_alias_date", lambda: c.get_alias(FunctionName=fn, Name="2024-01-02"))
    c.invoke(FunctionName=f"{fn}:2024-01-02")
    r.record(
        "create_alias_number_exception",
        lambda: c.create_alias(FunctionName=fn, Name="2024", FunctionVersion="1", Description="custom-alias"),
    )


@replay("TestLambdaFunction::test_ops_on_nonexisting_fn[get_function]")
def ops_on_nonexisting_fn(r: Recorder) -> None:
    missing = r.name("i-dont-exist")
    r.record("not_found_exception", lambda: r.client.get_function(FunctionName=missing))


@replay("TestLambdaFunction::test_ops_on_nonexisting_version[get_function]")
def ops_on_nonexisting_version(r: Recorder) -> None:
    fn = r.name("i-exist")
    r.create(
        None,
        fn,
        helper=True,
        Runtime="python3.12",
        Code={"ZipFile": ZIP_ECHO},
        Description="Initial description",
    )
    r.record("version_not_found_exception", lambda: r.client.get_function(FunctionName=fn, Qualifier="1221"))


@replay("TestLambdaProvisionedConcurrency::test_lambda_provisioned_lifecycle")
def provisioned_lifecycle(r: Recorder) -> None:
    fn, alias, c = r.name("lambda_func"), r.name("alias"), r.client
    r.create(None, fn, helper=True, Runtime="python3.12", Code={"ZipFile": ZIP_ECHO})
    r.record("publish_version_result", lambda: c.publish_version(FunctionName=fn))
    r.wait_active(fn, "1")
    r.wait_updated(fn, "1")
    r.record("create_alias_result", lambda: c.create_alias(FunctionName=fn, Name=alias, FunctionVersion="1"))

    def put(key: str, qualifier: str) -> None:
        r.record(
            key,
            lambda: c.put_provisioned_concurrency_config(
                FunctionName=fn, Qualifier=qualifier, ProvisionedConcurrentExecutions=1
            ),
        )

    put("put_provisioned_on_version", "1")
    put("put_provisioned_on_alias_versionconflict", alias)
    r.wait_provisioned(fn, "1")
    r.record(
        "delete_provisioned_version",
        lambda: c.delete_provisioned_concurrency_config(FunctionName=fn, Qualifier="1"),
    )
    r.record(
        "get_provisioned_version_postdelete",
        lambda: c.get_provisioned_concurrency_config(FunctionName=fn, Qualifier="1"),
    )
    put("put_provisioned_on_alias", alias)
    put("put_provisioned_on_version_conflict", "1")
    r.record("delete_alias_result", lambda: c.delete_alias(FunctionName=fn, Name=alias))
    r.record(
        "get_provisioned_alias_postaliasdelete",
        lambda: c.get_provisioned_concurrency_config(FunctionName=fn, Qualifier=alias),
    )
    r.record("list_response_postdeletes", lambda: c.list_provisioned_concurrency_configs(FunctionName=fn))


@replay("TestLambdaProvisionedConcurrency::test_provisioned_concurrency_exceptions")
def provisioned_concurrency_exceptions(r: Recorder) -> None:
    fn, u = r.name("lambda_func"), r.unvalidated
    r.create(None, fn, helper=True, Runtime="python3.12", Code={"ZipFile": ZIP_ECHO})
    r.record("publish_version_result", lambda: u.publish_version(FunctionName=fn))
    for key, name, qualifier in [
        ("get_provisioned_config_doesnotexist", fn, "1"),
        ("get_provisioned_functionname_doesnotexist", "doesnotexist", "noalias"),
        ("get_provisioned_qualifier_doesnotexist", fn, "noalias"),
        ("get_provisioned_version_doesnotexist", fn, "10"),
        ("get_provisioned_latest", fn, "$LATEST"),
    ]:
        r.record(
            key, lambda n=name, q=qualifier: u.get_provisioned_concurrency_config(FunctionName=n, Qualifier=q)
        )
    r.record("list_provisioned_noconfigs", lambda: u.list_provisioned_concurrency_configs(FunctionName=fn))
    r.record(
        "list_provisioned_functionname_doesnotexist",
        lambda: u.list_provisioned_concurrency_configs(FunctionName="doesnotexist"),
    )
    for key, name, qualifier in [
        ("delete_provisioned_functionname_doesnotexist", "doesnotexist", "1"),
        ("delete_provisioned_qualifier_doesnotexist", fn, "noalias"),
        ("delete_provisioned_version_doesnotexist", fn, "10"),
        ("delete_provisioned_latest", fn, "$LATEST"),
        ("delete_provisioned_config_doesnotexist", fn, "1"),
    ]:
        r.record(
            key,
            lambda n=name, q=qualifier: u.delete_provisioned_concurrency_config(FunctionName=n, Qualifier=q),
        )
    for key, name, qualifier, amount in [
        ("put_provisioned_invalid_param_0", fn, "1", 0),
        ("put_provisioned_functionname_doesnotexist_alias", "doesnotexist", "noalias", 1),
        ("put_provisioned_functionname_doesnotexist_version", "doesnotexist", "1", 1),
        ("put_provisioned_qualifier_doesnotexist", fn, "doesnotexist", 1),
        ("put_provisioned_version_doesnotexist", fn, "10", 1),
        ("put_provisioned_latest", fn, "$LATEST", 1),
    ]:
        r.record(
            key,
            lambda n=name, q=qualifier, a=amount: u.put_provisioned_concurrency_config(
                FunctionName=n, Qualifier=q, ProvisionedConcurrentExecutions=a
            ),
        )


def _multiruntime(r: Recorder, key: str, **params: object) -> str:
    fn = r.name("echo")
    r.create(
        key,
        fn,
        helper=False,
        Runtime="python3.12",
        Handler="handler.handler",
        Code={"ZipFile": ZIP_ECHO},
        **params,
    )
    return fn


@replay("TestLambdaSnapStart::test_snapstart_lifecycle[python3.12]")
def snapstart_lifecycle(r: Recorder) -> None:
    fn, c = _multiruntime(r, "create_function_response", MemorySize=1024, Timeout=5), r.client
    c.publish_version(FunctionName=fn, Description="version1")
    r.wait_active(fn, "1")
    r.record("get_function_response_latest", lambda: c.get_function(FunctionName=fn))
    r.record("get_function_response_version_1", lambda: c.get_function(FunctionName=f"{fn}:1"))


@replay("TestLambdaSnapStart::test_snapstart_update_function_configuration[python3.12]")
def snapstart_update_function_configuration(r: Recorder) -> None:
    fn, c = _multiruntime(r, "create_function_response", MemorySize=1024, Timeout=5), r.client
    r.wait_active(fn)
    r.record(
        "update_function_response",
        lambda: c.update_function_configuration(FunctionName=fn, SnapStart={"ApplyOn": "PublishedVersions"}),
    )


def _push_image(r: Recorder, repo: str, layer: str) -> None:
    ecr = r.sim.client("ecr")
    ecr.create_repository(repositoryName=repo)
    digest = "sha256:" + layer * 64
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 1472,
            "digest": digest,
        },
        "layers": [
            {"mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip", "size": 9, "digest": digest}
        ],
    }
    ecr.put_image(repositoryName=repo, imageManifest=json.dumps(manifest), imageTag="latest")


@replay("TestLambdaImages::test_lambda_image_crud")
def lambda_image_crud(r: Recorder) -> None:
    fn, c = r.name("test-function"), r.client
    registry = f"{r.account}.dkr.ecr.{r.sim.region}.amazonaws.com"
    repos = [r.name("test-repo"), r.name("test-repo")]
    # As the recorded test pushed alpine and debian: two images in the (simulated) ECR, so that
    # CodeSha256 and ResolvedImageUri come from their digests.
    for repo, layer in zip(repos, "ab", strict=True):
        _push_image(r, repo, layer)
    first, second = (f"{registry}/{repo}" for repo in repos)
    r.create(
        "create-image-response",
        fn,
        helper=False,
        Code={"ImageUri": f"{first}:latest"},
        PackageType="Image",
        Environment={"Variables": {"CUSTOM_ENV": "test"}},
    )
    r.wait_active(fn)
    r.record("get-function-code-response", lambda: c.get_function(FunctionName=fn))
    r.record("get-function-config-response", lambda: c.get_function_configuration(FunctionName=fn))
    r.record("image-to-zipfile-error", lambda: c.update_function_code(FunctionName=fn, ZipFile=ZIP_ECHO))
    r.record(
        "update-function-code-response",
        lambda: c.update_function_code(FunctionName=fn, ImageUri=f"{second}:latest"),
    )
    r.wait_updated(fn)
    r.record("get-function-code-response-after-update", lambda: c.get_function(FunctionName=fn))
    r.record(
        "get-function-config-response-after-update", lambda: c.get_function_configuration(FunctionName=fn)
    )


@replay("TestLambdaSizeLimits::test_large_environment_variables_fails")
def large_environment_variables_fails(r: Recorder) -> None:
    fn = r.name("large-envvar-lambda")
    r.create(
        "failed_create_fn_result",
        fn,
        helper=True,
        Runtime="python3.12",
        Code={"ZipFile": ZIP_ECHO},
        Environment={"Variables": {"LARGE_VAR": "x" * 4081}},
    )


@replay("TestLambdaFunction::test_invalid_vpc_config_subnet")
def invalid_vpc_config_subnet(r: Recorder) -> None:
    groups = r.sim.client("ec2").describe_security_groups(MaxResults=5)["SecurityGroups"]
    fn = r.name("fn")
    for key, subnet in [
        ("create-response-non-existent-subnet-id", "subnet-0123abcd"),
        ("create-response-invalid-format-subnet-id", "bad-format-0123abcd"),
    ]:
        vpc = {"SubnetIds": [subnet], "SecurityGroupIds": [groups[0]["GroupId"]]}
        r.create(
            key,
            fn,
            helper=False,
            Handler="index.handler",
            Code={"ZipFile": ZIP_ECHO},
            PackageType="Zip",
            Runtime="python3.12",
            VpcConfig=vpc,
        )


@replay("TestLambdaFunction::test_create_lambda_exceptions")
def create_lambda_exceptions(r: Recorder) -> None:
    fn, c = r.name("invalid-function"), r.client
    base = {
        "FunctionName": fn,
        "Handler": "index.handler",
        "PackageType": "Zip",
        "Code": {"ZipFile": ZIP_ECHO},
        "Role": r.role,
        "Runtime": "python3.12",
    }
    for key, change in [
        ("invalid_role_arn_exc", {"Role": "r1"}),
        ("invalid_runtime_exc", {"Runtime": "non-existent-runtime"}),
        ("uppercase_runtime_exc", {"Runtime": "PYTHON3.9"}),
        ("empty_architectures", {"Architectures": []}),
        ("multiple_architectures", {"Architectures": ["x86_64", "arm64"]}),
        ("uppercase_architecture", {"Architectures": ["X86_64"]}),
        (
            "invalid_zip_exc",
            {"Code": {"ZipFile": b"this is not a zipfile, just a random string"}, "Runtime": "python3.9"},
        ),
    ]:
        r.record(key, lambda change=change: c.create_function(**{**base, **change}))


# Not replayed (see exclusions.py): test_oversized_zipped_create_lambda sends a 70 MB request and
# test_oversized_unzipped_lambda uploads 250 MiB to S3 first.
