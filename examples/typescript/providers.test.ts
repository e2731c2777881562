// providers.ts run under Pulumi's mocks (`node --test`): which provider each resource is registered
// with, and what the explicit providers receive from the SDK.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";

// Answers every registration with its inputs as its state, and records what the program registered.
const registered = new Map<string, pulumi.runtime.MockResourceArgs>();
pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.set(args.name, args);
        return {id: `${args.name}-id`, state: args.inputs};
    },
    call() {
        return {};
    },
}, "macie-typescript", "dev", false);
// Plain config values: the SDK is what makes the keys secret.
pulumi.runtime.setConfig("macie-typescript:accessKey", "AKIAIOSFODNN7EXAMPLE");
pulumi.runtime.setConfig("macie-typescript:secretKey", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY");

// The program declares its resources when it is loaded: after the mocks and the config are set.
const program = require("./providers") as typeof import("./providers");

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise(resolve => output.apply(resolve));
}

// Everything the program declares, registered.
const declared = valueOf(pulumi.all([program.eastLogsId, program.westLogsId, program.auditLogsId]));

// A provider reference as a registration carries it: the provider's URN and ID.
async function referenceTo(provider: pulumi.ProviderResource): Promise<string> {
    return `${await valueOf(provider.urn)}::${await valueOf(provider.id)}`;
}

// A value as the mocks see a secret.
function secret(value: unknown): unknown {
    return {[pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value};
}

test("each resource is registered with its own explicit provider's reference", async () => {
    await declared;
    const providers = {
        "east-logs": program.east, "west-logs": program.west, "audit-logs": program.audit,
    };
    for (const [name, provider] of Object.entries(providers)) {
        const args = registered.get(name);
        assert.equal(args?.type, "macie:index:MacieS3Resource", name);
        assert.equal(args?.provider, await referenceTo(provider), name);
    }
    assert.deepStrictEqual(registered.get("audit-logs")?.inputs, {bucketName: "audit-logs", prefix: "macie/"});
});

test("the providers receive their settings; the SDK sends non-string ones as JSON, maxAttempts' default too", async () => {
    await declared;
    const keys = {
        accessKey: secret("AKIAIOSFODNN7EXAMPLE"),
        secretKey: secret("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
    };
    const endpointUrl = "http://127.0.0.1:4510";
    const seen = Object.fromEntries([...registered].filter(([, args]) => args.type === "pulumi:providers:macie")
        .map(([name, args]) => [name, [args.custom, args.inputs]]));
    assert.deepStrictEqual(seen, {
        "us-east-1": [true, {region: "us-east-1", endpointUrl, maxAttempts: "8", ...keys}],
        "us-west-2": [true, {region: "us-west-2", endpointUrl, maxAttempts: "8", ...keys}],
        "audit-account": [true, {
            region: "us-east-1",
            endpointUrl,
            maxAttempts: "8",
            assumeRole: '{"roleArn":"arn:aws:iam::444455556666:role/MacieAdmin","externalId":"macie-audit"}',
            allowedAccountIds: '["444455556666"]',
            ...keys,
        }],
    });
});

test("accessKey and secretKey given as plain strings reach every provider as secrets", async () => {
    await declared;
    for (const name of ["us-east-1", "us-west-2", "audit-account"]) {
        const inputs = registered.get(name)?.inputs ?? {};
        for (const key of ["accessKey", "secretKey"]) {
            assert.ok(pulumi.runtime.isRpcSecret(inputs[key]), `${name}'s ${key} is not a secret`);
        }
        for (const key of ["region", "endpointUrl", "maxAttempts"]) {
            assert.ok(!pulumi.runtime.isRpcSecret(inputs[key]), `${name}'s ${key} is a secret`);
        }
    }
});
