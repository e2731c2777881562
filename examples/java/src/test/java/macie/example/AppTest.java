// examples/java under Pulumi's Java mocks (com.pulumi.test): what the program registers and exports.
package macie.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.pulumi.exceptions.MissingRequiredPropertyException;
import com.pulumi.macie.MacieMemberAccount;
import com.pulumi.macie.MacieS3Resource;
import com.pulumi.macie.MacieS3ResourceArgs;
import com.pulumi.test.Mocks;
import com.pulumi.test.PulumiTest;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AppTest {
    /** Records each resource's type and inputs; answers the provider's ID and, as it does, defaults. */
    static final class Recorder implements Mocks {
        final Map<String, Mocks.ResourceArgs> registered = new ConcurrentHashMap<>();

        @Override
        public CompletableFuture<Mocks.ResourceResult> newResourceAsync(Mocks.ResourceArgs args) {
            registered.put(args.name, args);
            Map<String, Object> state = new TreeMap<>(args.inputs);
            String id;
            if (args.type.equals("macie:index:MacieS3Resource")) {
                state.putIfAbsent("classificationType", Map.of("oneTime", "NONE", "continuous", "FULL"));
                Object member = args.inputs.get("memberAccountId");
                id = (member == null ? "" : member + ":") + args.inputs.get("bucketName")
                    + (args.inputs.getOrDefault("prefix", "").toString().isEmpty() ? "" : "/" + args.inputs.get("prefix"));
            } else {
                id = String.valueOf(args.inputs.get("memberAccountId"));
            }
            return CompletableFuture.completedFuture(Mocks.ResourceResult.of(Optional.of(id), state));
        }
    }

    @AfterEach
    void cleanup() {
        PulumiTest.cleanup();
    }

    @Test
    void registersNativeResourcesWithTheirInputs() {
        var mocks = new Recorder();
        var result = PulumiTest.withMocks(mocks).runTest(App::stack).throwOnError();

        var types = result.resources().stream()
            .filter(r -> r instanceof MacieMemberAccount || r instanceof MacieS3Resource)
            .map(r -> r.pulumiResourceType() + " " + r.pulumiResourceName())
            .sorted()
            .collect(Collectors.toList());
        assertEquals(List.of(
            "macie:index:MacieMemberAccount audit",
            "macie:index:MacieS3Resource master-logs",
            "macie:index:MacieS3Resource member-logs"), types);

        assertEquals(Map.of("memberAccountId", "111122223333"), mocks.registered.get("audit").inputs);
        assertEquals(Map.of(
            "bucketName", "corp-logs",
            "prefix", "",
            "classificationType", Map.of("oneTime", "FULL", "continuous", "FULL")),
            mocks.registered.get("master-logs").inputs);
        // The member's account ID is the member account's output; the classification is left to its defaults.
        assertEquals(Map.of(
            "bucketName", "corp-logs",
            "prefix", "2024/",
            "memberAccountId", "111122223333"),
            mocks.registered.get("member-logs").inputs);
    }

    @Test
    void exportsTheResourcesOutputs() {
        var result = PulumiTest.withMocks(new Recorder()).runTest(App::stack).throwOnError();
        assertEquals("111122223333", PulumiTest.extractValue(result.output("memberAccountId", String.class)));
        assertEquals("corp-logs", PulumiTest.extractValue(result.output("masterLogsId", String.class)));
        assertEquals("111122223333:corp-logs/2024/", PulumiTest.extractValue(result.output("memberLogsId", String.class)));
        assertEquals(Map.of("oneTime", "NONE", "continuous", "FULL"),
            PulumiTest.extractValue(result.output("memberLogsClassification")));
    }

    @Test
    void missingBucketNameIsAnError() {
        var error = assertThrows(MissingRequiredPropertyException.class, () -> MacieS3ResourceArgs.builder().build());
        assertEquals(true, error.getMessage().contains("bucketName"), error.getMessage());
    }

    @Test
    void unknownOneTimeIsRefused() {
        var error = assertThrows(IllegalArgumentException.class, () -> App.oneTime("SOME"));
        assertEquals("oneTime is \"SOME\": it must be FULL or NONE", error.getMessage());
    }
}
