package org.rapaio.jupyter.kernel.channels;

/**
 * Drop-in replacement for rapaio-jupyter-kernel 3.0.1's channel loop thread. The original sets its running flag
 * after Thread.start(), so a loop thread scheduled immediately sees "not running" and exits at once: the kernel then
 * never answers on that channel. Here the flag is raised before the thread starts, and an exception thrown by one
 * pass of the loop (e.g. a shell message arriving before the message handlers are registered) no longer kills it.
 */
public final class LoopThread extends Thread {
    private volatile boolean running;
    private final long sleepMillis;
    private final Runnable body;

    public LoopThread(String name, long sleepMillis, Runnable body) {
        super(name);
        this.sleepMillis = sleepMillis;
        this.body = body;
    }

    @Override
    public void run() {
        while (running) {
            try {
                body.run();
            } catch (RuntimeException e) {
                // A message that arrives before the kernel registered its handlers throws here; the client resends
                // kernel_info, so keep the loop alive instead of letting the channel die silently.
                System.err.println(getName() + ": " + e);
            }
            try {
                Thread.sleep(sleepMillis);
            } catch (InterruptedException e) {
                running = false;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true;
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
