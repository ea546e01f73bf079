/** The request life cycle: filed pending; the NOC approves or rejects; the requester may cancel while pending. */
export type RequestState = 'pending' | 'approved' | 'rejected' | 'cancelled';
export type RequestAction = 'approve' | 'reject' | 'cancel';

const NEXT: Record<RequestAction, RequestState> = { approve: 'approved', reject: 'rejected', cancel: 'cancelled' };

/** The state an action leads to, or null when the action is not allowed from `state`. */
export function transition(state: RequestState, action: RequestAction): RequestState | null {
  return state === 'pending' ? NEXT[action] : null;
}
