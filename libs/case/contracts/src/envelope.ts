/** Who did something, as the case history shows it. */
/** partner: a portal or partner system submitting through the Open311 API with its own API key. */
/** operator, supervisor, administrator, department-staff: city staff, as their verified identity's most senior role. */
export type ActorKind = 'resident' | 'operator' | 'supervisor' | 'administrator' | 'department-staff' | 'department-system' | 'service' | 'rule' | 'partner';

export interface Actor {
  kind: ActorKind;
  id: string;
  name: string;
}

/** How the request or action reached the city. */
export type Channel = 'web' | 'mobile' | 'phone' | 'email' | 'ivr' | 'in-person' | 'api' | 'system';
export const ALL_CHANNELS: readonly Channel[] = ['web', 'mobile', 'phone', 'email', 'ivr', 'in-person', 'api', 'system'];

export interface EventMetadata {
  actor: Actor;
  channel?: Channel;
  /** When it happened (ISO 8601, UTC). */
  at: string;
  correlationId: string;
  causationId?: string;
  /**
   * The W3C trace context (`traceparent`) of the work that recorded the event, when it was traced:
   * the services that react to the event continue its trace (OpenTelemetry, ADR 0017).
   */
  traceparent?: string;
  /**
   * Set on the events of a case imported from a legacy system (the ops CLI's import-history): history,
   * facts about the past; no service acts on them (they only feed read models). `record` is the
   * request's id in that system's export.
   */
  importedFrom?: { source: string; record: string };
}

/** A case event as stored in the log and published on Kafka. */
export interface CaseEventEnvelope<Type extends string = string, Data = unknown> {
  eventId: string;
  caseId: string;
  caseVersion: number;
  type: Type;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  /** Position in the global log (assigned on append). */
  globalPosition: string;
  recordedAt: string;
}
