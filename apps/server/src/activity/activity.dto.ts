import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One send attempt of a notification and its outcome. */
export class NotificationDto {
  @ApiProperty({ description: 'stream id (<ms>-<seq>)' }) id!: string;
  @ApiProperty({ description: 'RFC 3339' }) at!: string;
  @ApiProperty() groupId!: string;
  @ApiProperty() groupKey!: string;
  @ApiProperty() receiver!: string;
  @ApiProperty({ description: 'integration kinds, e.g. webhook or slack,email' }) integration!: string;
  @ApiProperty({ description: "why the flush notified, e.g. 'first notification'" }) reason!: string;
  @ApiProperty() alerts!: number;
  @ApiProperty({ description: '1-based attempt number' }) attempt!: number;
  @ApiProperty({
    enum: ['delivered', 'retrying', 'failed', 'stalled'],
    description: 'failed: given up (a dead letter); stalled: the node sending it stopped, the job runs again',
  })
  outcome!: 'delivered' | 'retrying' | 'failed' | 'stalled';
  @ApiPropertyOptional({ description: 'HTTP status or SMTP reply code of a failed attempt' })
  statusCode?: number;
  @ApiPropertyOptional({ description: 'bounded error text, URLs cut to their host' }) error?: string;
  @ApiProperty() idempotencyKey!: string;
  @ApiProperty({ description: 'the node that made the attempt' }) node!: string;
}

export class NotificationPageDto {
  @ApiProperty({ type: [NotificationDto] }) notifications!: NotificationDto[];
}
