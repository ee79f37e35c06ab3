/**
 * `@naylence/admission`: Admission clients, welcome service, grants and identity policies for the FAME agent fabric.
 *
 * Not implemented yet: this package exists so the workspace, its layering and its build are
 * in place. It exports nothing until its issue lands.
 *
 * @packageDocumentation
 */
export {};
