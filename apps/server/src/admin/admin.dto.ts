import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** An alert as the admin API shows it. */
export class AdminAlertDto {
  @ApiProperty() fingerprint!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) annotations!: Record<
    string,
    string
  >;
  @ApiProperty() startsAt!: string;
  @ApiProperty() endsAt!: string;
  @ApiProperty() updatedAt!: string;
  @ApiProperty() generatorURL!: string;
  @ApiProperty({ enum: ['firing', 'resolved'] }) state!: 'firing' | 'resolved';
  @ApiPropertyOptional({
    nullable: true,
    type: () => QuietDto,
    description: 'why nothing is sent for it; null when nothing mutes it',
  })
  quiet!: QuietDto | null;
}

/** The firing source that inhibits an alert, and the rule. */
export class InhibitedByDto {
  @ApiProperty({ description: 'fingerprint of the source alert' }) source!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) sourceLabels!: Record<
    string,
    string
  >;
  @ApiProperty({ description: 'rule name, or inhibit_rules[i] when unnamed' }) rule!: string;
}

/** Why an alert is quiet: inhibited, silenced, or muted by a time interval of its group's route. */
export class QuietDto {
  @ApiPropertyOptional({ nullable: true, type: () => InhibitedByDto }) inhibitedBy!: InhibitedByDto | null;
  @ApiProperty({ type: [String], description: 'silence ids' }) silencedBy!: string[];
  @ApiProperty({ type: [String], description: 'time interval names muting its group now' })
  mutedBy!: string[];
}

/** An alert with the ids of the groups that hold it (GET /api/v1/alerts). */
export class AdminAlertWithGroupsDto extends AdminAlertDto {
  @ApiProperty({ type: [String] }) groups!: string[];
}

/** A group in a listing. */
export class GroupSummaryDto {
  @ApiProperty({ description: '16 hex digits, the group key hash' }) id!: string;
  @ApiProperty() groupKey!: string;
  @ApiProperty() receiver!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty() firing!: number;
  @ApiProperty() recovery!: number;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: [String], description: 'time intervals muting the group now' }) mutedBy!: string[];
  // A thunk and a plain object type: GroupTimersDto is declared further down.
  @ApiProperty({ type: () => GroupTimersDto }) timers!: {
    groupWait: number;
    groupInterval: number;
    repeatInterval: number;
  };
}

/** GET /api/v1/groups. */
export class GroupPageDto {
  @ApiProperty({ type: [GroupSummaryDto] }) groups!: GroupSummaryDto[];
  @ApiPropertyOptional({ nullable: true, type: String, description: 'pass as `cursor` for the next page' })
  nextCursor!: string | null;
}

/** A group's timers (ms). */
export class GroupTimersDto {
  @ApiProperty() groupWait!: number;
  @ApiProperty() groupInterval!: number;
  @ApiProperty() repeatInterval!: number;
}

/** The newest send attempt of a group (from the notification history). */
export class LastNotificationDto {
  @ApiProperty({ description: 'RFC 3339' }) at!: string;
  @ApiProperty({ description: "why the flush notified, e.g. 'first notification'" }) reason!: string;
  @ApiProperty() receiver!: string;
  @ApiProperty({
    enum: ['delivered', 'retrying', 'failed', 'stalled'],
    description: 'failed: given up (a dead letter); stalled: the node sending it stopped, the job runs again',
  })
  outcome!: 'delivered' | 'retrying' | 'failed' | 'stalled';
  @ApiProperty({ description: '1-based attempt number' }) attempt!: number;
  @ApiPropertyOptional() statusCode?: number;
  @ApiPropertyOptional({ description: 'bounded error text, URLs cut to their host' }) error?: string;
}

/** GET /api/v1/groups/:id. */
export class GroupDetailDto {
  @ApiProperty() id!: string;
  @ApiProperty() groupKey!: string;
  @ApiProperty() receiver!: string;
  @ApiProperty() routeId!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) labels!: Record<string, string>;
  @ApiProperty() createdAt!: string;
  @ApiProperty({ type: GroupTimersDto }) timers!: GroupTimersDto;
  @ApiProperty({ type: [String], description: 'time intervals muting the group now' }) mutedBy!: string[];
  @ApiProperty({ type: [AdminAlertDto] }) firing!: AdminAlertDto[];
  @ApiProperty({ type: [AdminAlertDto] }) recovery!: AdminAlertDto[];
  @ApiPropertyOptional({
    nullable: true,
    type: LastNotificationDto,
    description: 'the newest send attempt for the group and its outcome; null when none is recorded',
  })
  lastNotification!: LastNotificationDto | null;
}
