/** Test support of the view model's tests: manifests written as the tests read them. */

/** A Deployment `name` in `ns` whose pods are labelled `app: name`. */
export const deployment = (name: string, ns = "shop"): string => `apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${ns}}
spec:
  selector: {matchLabels: {app: ${name}}}
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: c, image: x}]}
`;
