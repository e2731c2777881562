// Manage Amazon Macie Classic member accounts and the S3 resources Macie Classic monitors.
package macie
