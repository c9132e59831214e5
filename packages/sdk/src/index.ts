// The typed client lands with the SDK issue; the package exists so the workspace has its final shape.
export {};
