"""LambdaApi: the Lambda operations the engines call, as a Protocol.

The engines (waiter, deployer, publish, aliases, shift, restore, rollback, gates, provisioned,
describe, release set) take a `LambdaApi`, not boto3's `LambdaClient`, so a test double that
implements these methods fits too. boto3-stubs' `LambdaClient` satisfies it, and so does what
aws.clients hands out (the RetryingClient around a botocore client, typed as the client it wraps).

Each method is declared exactly as boto3-stubs declares it (`**kwargs: Unpack[...RequestTypeDef]`,
replying a `...ResponseTypeDef`), so mypy checks every call's parameter names and types and every
field read from a reply. The TypedDicts come from boto3-stubs, a dev dependency: they are named
for mypy only (`if TYPE_CHECKING:`), and a fake answering a plain dict still works at run time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from mypy_boto3_lambda.type_defs import (
        AliasConfigurationResponseTypeDef,
        CreateAliasRequestTypeDef,
        CreateFunctionRequestTypeDef,
        DeleteAliasRequestTypeDef,
        EmptyResponseMetadataTypeDef,
        FunctionConfigurationResponseTypeDef,
        GetAliasRequestTypeDef,
        GetFunctionRequestTypeDef,
        GetFunctionResponseTypeDef,
        GetLayerVersionRequestTypeDef,
        GetLayerVersionResponseTypeDef,
        GetProvisionedConcurrencyConfigRequestTypeDef,
        GetProvisionedConcurrencyConfigResponseTypeDef,
        InvocationRequestTypeDef,
        InvocationResponseTypeDef,
        ListAliasesRequestTypeDef,
        ListAliasesResponseTypeDef,
        ListProvisionedConcurrencyConfigsRequestTypeDef,
        ListProvisionedConcurrencyConfigsResponseTypeDef,
        ListTagsRequestTypeDef,
        ListTagsResponseTypeDef,
        ListVersionsByFunctionRequestTypeDef,
        ListVersionsByFunctionResponseTypeDef,
        PublishVersionRequestTypeDef,
        TagResourceRequestTypeDef,
        UpdateAliasRequestTypeDef,
        UpdateFunctionCodeRequestTypeDef,
        UpdateFunctionConfigurationRequestTypeDef,
    )
    from typing_extensions import Unpack


class LambdaApi(Protocol):
    """The Lambda operations lambdawait's engines call (add one here before calling it)."""

    def get_function(self, **kwargs: Unpack[GetFunctionRequestTypeDef]) -> GetFunctionResponseTypeDef: ...

    def create_function(
        self, **kwargs: Unpack[CreateFunctionRequestTypeDef]
    ) -> FunctionConfigurationResponseTypeDef: ...

    def update_function_code(
        self, **kwargs: Unpack[UpdateFunctionCodeRequestTypeDef]
    ) -> FunctionConfigurationResponseTypeDef: ...

    def update_function_configuration(
        self, **kwargs: Unpack[UpdateFunctionConfigurationRequestTypeDef]
    ) -> FunctionConfigurationResponseTypeDef: ...

    def publish_version(
        self, **kwargs: Unpack[PublishVersionRequestTypeDef]
    ) -> FunctionConfigurationResponseTypeDef: ...

    def list_versions_by_function(
        self, **kwargs: Unpack[ListVersionsByFunctionRequestTypeDef]
    ) -> ListVersionsByFunctionResponseTypeDef: ...

    def get_alias(self, **kwargs: Unpack[GetAliasRequestTypeDef]) -> AliasConfigurationResponseTypeDef: ...

    def create_alias(
        self, **kwargs: Unpack[CreateAliasRequestTypeDef]
    ) -> AliasConfigurationResponseTypeDef: ...

    def update_alias(
        self, **kwargs: Unpack[UpdateAliasRequestTypeDef]
    ) -> AliasConfigurationResponseTypeDef: ...

    def delete_alias(self, **kwargs: Unpack[DeleteAliasRequestTypeDef]) -> EmptyResponseMetadataTypeDef: ...

    def list_aliases(self, **kwargs: Unpack[ListAliasesRequestTypeDef]) -> ListAliasesResponseTypeDef: ...

    def list_tags(self, **kwargs: Unpack[ListTagsRequestTypeDef]) -> ListTagsResponseTypeDef: ...

    def tag_resource(self, **kwargs: Unpack[TagResourceRequestTypeDef]) -> EmptyResponseMetadataTypeDef: ...

    def get_layer_version(
        self, **kwargs: Unpack[GetLayerVersionRequestTypeDef]
    ) -> GetLayerVersionResponseTypeDef: ...

    def get_provisioned_concurrency_config(
        self, **kwargs: Unpack[GetProvisionedConcurrencyConfigRequestTypeDef]
    ) -> GetProvisionedConcurrencyConfigResponseTypeDef: ...

    def list_provisioned_concurrency_configs(
        self, **kwargs: Unpack[ListProvisionedConcurrencyConfigsRequestTypeDef]
    ) -> ListProvisionedConcurrencyConfigsResponseTypeDef: ...

    def invoke(self, **kwargs: Unpack[InvocationRequestTypeDef]) -> InvocationResponseTypeDef: ...
