// The worker's entry point inside the server's bundle: one image, two commands.
import "@taskmgr/worker/main";
