// The example program run under Pulumi's mocks (`node --test`): what it registers, and what it reads.
import { test } from "node:test";
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import * as macie from "@pulumi-macie/macie";

// Answers each registration as the provider would (the ID from the inputs, classification defaults
// filled in) and records what the program registered.
const registered = new Map<string, pulumi.runtime.MockResourceArgs>();
pulumi.runtime.setMocks({
    newResource(args: pulumi.runtime.MockResourceArgs) {
        registered.set(args.name, args);
        const state = {...args.inputs};
        let id = "";
        if (args.type === "macie:index:MacieMemberAccount") {
            id = state.memberAccountId;
        } else if (args.type === "macie:index:MacieS3Resource") {
            state.classificationType ??= {oneTime: "NONE", continuous: "FULL"};
            id = (state.memberAccountId ? `${state.memberAccountId}:` : "") + state.bucketName
                + (state.prefix ? `/${state.prefix}` : "");
        }
        return {id, state};
    },
    call() {
        return {};
    },
}, "macie-typescript", "dev", false);

// The program declares its resources when it is loaded: after the mocks are set.
const program = require("./index") as typeof import("./index");

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise(resolve => output.apply(resolve));
}

test("the program registers macie:index resources with camelCase inputs and the SDK's defaults", async () => {
    await valueOf(pulumi.all([program.memberAccountId, program.masterLogsId, program.memberLogsId]));
    const seen = Object.fromEntries([...registered].map(([name, args]) => [name, [args.type, args.custom, args.inputs]]));
    assert.deepStrictEqual(seen, {
        "audit": ["macie:index:MacieMemberAccount", true, {memberAccountId: "111122223333"}],
        "master-logs": ["macie:index:MacieS3Resource", true,
            {bucketName: "corp-logs", prefix: "", classificationType: {oneTime: "FULL", continuous: "FULL"}}],
        "member-logs": ["macie:index:MacieS3Resource", true,
            {bucketName: "corp-logs", prefix: "2024/", memberAccountId: "111122223333"}],
    });
});

test("the program's outputs are the provider's answers", async () => {
    assert.equal(await valueOf(program.memberAccountId), "111122223333");
    assert.equal(await valueOf(program.masterLogsId), "corp-logs");
    assert.equal(await valueOf(program.memberLogsId), "111122223333:corp-logs/2024/");
    assert.deepStrictEqual(await valueOf(program.memberLogsClassification), {oneTime: "NONE", continuous: "FULL"});
});

test("a missing bucketName is an error naming it, before anything is registered", () => {
    const before = registered.size;
    assert.throws(() => new macie.MacieS3Resource("nope", {} as macie.MacieS3ResourceArgs),
        /Missing required property 'bucketName'/);
    assert.equal(registered.size, before);
});

test("the classification defaults are the schema's: oneTime NONE, continuous FULL", () => {
    assert.deepStrictEqual(macie.types.input.classificationTypeArgsProvideDefaults({} as macie.types.input.ClassificationTypeArgs),
        {oneTime: "NONE", continuous: "FULL"});
});
