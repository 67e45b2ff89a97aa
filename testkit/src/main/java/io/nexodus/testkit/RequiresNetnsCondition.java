package io.nexodus.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

/** The condition behind {@link RequiresNetns}. */
public final class RequiresNetnsCondition implements ExecutionCondition {
    static final String REQUIRE_ENV = "NEXODUS_REQUIRE_NETNS_TESTS";

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> commands = new ArrayList<>(List.of("ip"));
        context.getElement()
                .flatMap(e -> AnnotationSupport.findAnnotation(e, RequiresNetns.class))
                .ifPresent(a -> commands.addAll(List.of(a.commands())));
        List<String> missing = new ArrayList<>();
        if (!isRoot()) {
            missing.add("root");
        }
        if (!Files.exists(Path.of("/dev/net/tun"))) {
            missing.add("/dev/net/tun");
        }
        for (String c : commands) {
            if (!Cmd.onPath(c)) {
                missing.add(c);
            }
        }
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("root, netns and " + commands + " available");
        }
        String reason = "needs " + String.join(", ", missing);
        if ("1".equals(System.getenv(REQUIRE_ENV))) {
            throw new IllegalStateException(reason + " (" + REQUIRE_ENV + "=1, so this is an error, not a skip)");
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    static boolean isRoot() {
        Cmd.Result r = Cmd.tryRun("id", "-u");
        return r.ok() && r.stdout().strip().equals("0");
    }
}
