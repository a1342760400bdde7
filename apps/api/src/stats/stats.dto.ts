import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, Max, Min } from 'class-validator';
import { HISTORY_BUCKETS, type HistoryBucket, type HistoryPoint } from './history.aggregator.js';

const BUCKETS = Object.keys(HISTORY_BUCKETS) as HistoryBucket[];

export class HistoryQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Start of the range (default: 24 hours before `to`); aligned down to a bucket',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'from must be an ISO-8601 date-time' })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'End of the range (default: now)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'to must be an ISO-8601 date-time' })
  to?: string;

  @ApiPropertyOptional({ enum: BUCKETS, default: '1h' })
  @IsOptional()
  @IsIn(BUCKETS, { message: `bucket must be one of ${BUCKETS.join(', ')}` })
  bucket: HistoryBucket = '1h';
}

export class HistoryPointDto implements HistoryPoint {
  @ApiProperty({ format: 'date-time' })
  start!: string;

  @ApiProperty({
    example: 60,
    description: 'Bucket length; longer where only daily roll-ups exist',
  })
  minutes!: number;

  @ApiProperty({ example: 60 })
  polls!: number;

  @ApiProperty({ example: 59 })
  pollsOnline!: number;

  @ApiProperty({ type: Number, nullable: true, example: 98.33 })
  uptimePct!: number | null;

  @ApiProperty({ type: Number, nullable: true, example: 11.4 })
  playersAvg!: number | null;

  @ApiProperty({ example: 17 })
  playersPeak!: number;

  @ApiProperty({ type: Number, nullable: true, example: 21.7 })
  latencyAvgMs!: number | null;
}

export class HistoryDto {
  @ApiProperty({ example: 42 })
  serverId!: number;

  @ApiProperty({ enum: BUCKETS })
  bucket!: HistoryBucket;

  @ApiProperty({ format: 'date-time' })
  from!: string;

  @ApiProperty({ format: 'date-time' })
  to!: string;

  @ApiProperty({ type: [HistoryPointDto], description: 'Buckets with data only, oldest first' })
  points!: HistoryPointDto[];
}

export class StatsQueryDto {
  @ApiPropertyOptional({
    default: 24,
    minimum: 1,
    maximum: 720,
    description: 'Window of the peak and uptime figures, in hours back from now',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(720)
  hours = 24;
}

export class GroupStatsDto {
  @ApiProperty({ example: 120 })
  servers!: number;

  @ApiProperty({ example: 117 })
  online!: number;

  @ApiProperty({ example: 842, description: 'Players on the online servers now, added up' })
  playersNow!: number;

  @ApiProperty({
    example: 64,
    description:
      'Most players ONE server of the group reported in one poll in the window: a single ' +
      "server's peak, not a total to compare with playersNow",
  })
  peakPlayersOneServer!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 99.2,
    description: '100 x online polls / polls in the window; null without polls',
  })
  uptimePct!: number | null;

  @ApiProperty({ example: 172_800 })
  polls!: number;

  @ApiProperty({ example: 171_418 })
  pollsOnline!: number;
}

export class GameStatsDto extends GroupStatsDto {
  @ApiProperty({ example: 'minecraft' })
  game!: string;
}

export class StatsDto {
  @ApiProperty({ format: 'date-time' })
  from!: string;

  @ApiProperty({ format: 'date-time' })
  to!: string;

  @ApiProperty({ type: GroupStatsDto })
  total!: GroupStatsDto;

  @ApiProperty({ type: [GameStatsDto], description: 'One entry per game with servers, by game id' })
  games!: GameStatsDto[];
}
