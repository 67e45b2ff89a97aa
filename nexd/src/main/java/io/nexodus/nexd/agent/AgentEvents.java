package io.nexodus.nexd.agent;

import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/** The agent's one bounded event queue: any thread posts, only {@link AgentLoop}'s thread takes. */
final class AgentEvents {
    static final int CAPACITY = 1024;

    private final BlockingQueue<AgentEvent> queue = new ArrayBlockingQueue<>(CAPACITY);

    /** Posts an event. A full queue drops only events that the loop's next batch makes redundant. */
    void post(AgentEvent event) {
        if (queue.offer(event)) {
            return;
        }
        if (event instanceof AgentEvent.WatchChanged || event instanceof AgentEvent.Tick) {
            // the loop is behind: it compares versions and ticks after the batch it is about to drain anyway
            return;
        }
        try {
            queue.put(event);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The next event, or {@link AgentEvent#TICK} when none came within {@code wait}. */
    AgentEvent next(Duration wait) throws InterruptedException {
        AgentEvent e = queue.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        return e == null ? AgentEvent.TICK : e;
    }

    /** Moves every queued event to {@code into}, without waiting. */
    void drainTo(Collection<AgentEvent> into) {
        queue.drainTo(into);
    }
}
